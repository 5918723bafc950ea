"""`POST [base]`: transaction Bundles (validated whole, atomic) and batch Bundles (per entry)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response

from adapter.api.context import api
from adapter.api.formats import fhir_response, read_body
from adapter.api.security import guarded_store
from adapter.api.writes import (
    check_task_transition,
    profile_issues,
    refuse_illegal_transition,
    reject_if_invalid,
    writing_store,
)
from adapter.errors import AdapterError, InvalidRequest
from adapter.outcome import Issue, has_errors, operation_outcome

system = Blueprint("fhir_system", __name__)

ENTRY_EXPRESSION = re.compile(r"^Bundle\.entry\[(\d+)\]")


@system.post("")
@system.post("/")
def transaction_or_batch() -> Response:
    bundle = read_body()
    if bundle["resourceType"] != "Bundle":
        raise InvalidRequest("POST to the base takes a Bundle", expression="resourceType")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InvalidRequest("Bundle.entry must be a list", expression="Bundle.entry")
    if bundle.get("type") == "transaction":
        return fhir_response(transaction(bundle, entries))
    if bundle.get("type") == "batch":
        return fhir_response(batch(bundle, entries))
    raise InvalidRequest("Bundle.type must be transaction or batch", expression="Bundle.type")


def transaction(bundle: dict[str, Any], entries: list[Any]) -> dict[str, Any]:
    """The Bundle is validated as a whole; one invalid entry refuses everything (422)."""
    bundle_level, by_entry = bundle_issues(bundle, entries)
    reject_if_invalid(bundle_level + [issue for issues in by_entry for issue in issues])
    refuse_illegal_transition([i for e in entries for i in _task_transition_issues(e)])
    with api().write_gate:
        response = writing_store().transaction(bundle)
    return _with_outcomes(response, by_entry)


def batch(bundle: dict[str, Any], entries: list[Any]) -> dict[str, Any]:
    """Invalid entries fail alone with 422; the rest go to the store as one batch."""
    bundle_level, by_entry = bundle_issues(bundle, entries)
    reject_if_invalid(bundle_level)
    refuse = api().settings.validation_mode == "reject"
    failed = {i for i, issues in enumerate(by_entry) if refuse and has_errors(issues)}
    for index, entry in enumerate(entries):
        if has_errors(transition := _task_transition_issues(entry)):
            by_entry[index] += transition
            failed.add(index)
    accepted = [entry for i, entry in enumerate(entries) if i not in failed]
    with api().write_gate:
        stored = iter(guarded_store().batch({**bundle, "entry": accepted}).get("entry") or [])
    merged = [
        _unprocessable(by_entry[i]) if i in failed else next(stored) for i in range(len(entries))
    ]
    response = {"resourceType": "Bundle", "type": "batch-response", "entry": merged}
    return _with_outcomes(response, [[] if i in failed else s for i, s in enumerate(by_entry)])


def bundle_issues(
    bundle: dict[str, Any], entries: list[Any]
) -> tuple[list[Issue], list[list[Issue]]]:
    """Profile issues of the Bundle itself, and of each entry."""
    bundle_level: list[Issue] = []
    by_entry: list[list[Issue]] = [[] for _ in entries]
    for issue in profile_issues(bundle):
        index = _entry_index(issue)
        if index is not None and index < len(entries):
            by_entry[index].append(issue)
        else:
            bundle_level.append(issue)
    return bundle_level, by_entry


def _entry_index(issue: Issue) -> int | None:
    for expression in issue.expression:
        if match := ENTRY_EXPRESSION.match(expression):
            return int(match.group(1))
    return None


def _task_transition_issues(entry: Any) -> list[Issue]:
    if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
        return []
    request = entry.get("request") if isinstance(entry.get("request"), dict) else {}
    resource = entry["resource"]
    if request.get("method") != "PUT" or resource.get("resourceType") != "Task":
        return []
    return check_task_transition(_current(str(request.get("url", ""))), resource)


def _current(url: str) -> dict[str, Any] | None:
    parts = url.split("?")[0].strip("/").split("/")
    if len(parts) != 2:
        return None
    try:
        return guarded_store().read(parts[0], parts[1]).resource
    except AdapterError:  # absent or deleted: the PUT creates it
        return None


def _unprocessable(issues: list[Issue]) -> dict[str, Any]:
    outcome = operation_outcome(issues)
    return {"response": {"status": "422 Unprocessable Entity", "outcome": outcome}}


def _with_outcomes(response: dict[str, Any], by_entry: list[list[Issue]]) -> dict[str, Any]:
    """In warn mode, entries stored despite errors carry their issues back."""
    for entry, issues in zip(response.get("entry") or [], by_entry, strict=False):
        if has_errors(issues) and "outcome" not in entry.get("response", {}):
            entry.setdefault("response", {})["outcome"] = operation_outcome(issues)
    return response
