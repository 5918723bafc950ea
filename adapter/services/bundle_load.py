"""Mapped Bundles loaded through the one write path (`ltsc-adapter load`).

A Bundle is validated (profiles and referential integrity against the Bundle and the store),
each Task in it is checked against the stored Task by the Task state machine (a Task a snapshot
would move illegally is reported and kept as stored), and, for a member whose plan record the
service holds, every resource the rules derive is taken from the record, so a decision made
since (in the web app, through the API, by a CBO) is never undone by an older Bundle. All of it
is one store transaction, guarded by the member record's revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from adapter.errors import NotFound, Unprocessable
from adapter.outcome import Issue
from adapter.rules import check_snapshot, task_kind
from adapter.services.remap import remap_member
from adapter.store import members
from adapter.validation.integrity import dangling_references

Record = dict[str, Any]


@dataclass
class LoadResult:
    """One Bundle loaded: the store's response and the entries kept as stored, with why."""

    response: dict[str, Any]
    kept: list[Issue] = field(default_factory=list)


def load_bundle(service: Any, bundle: Any) -> LoadResult:
    """Store one transaction Bundle through the member service's checks (see module doc)."""
    if not isinstance(bundle, dict) or bundle.get("type") != "transaction":
        raise Unprocessable("not a transaction Bundle")
    entries, kept = _legal_entries(service, bundle.get("entry") or [])
    member = _member_of(service, entries)
    if member is not None:
        entries = _with_derived(service, entries, member)
    loaded = {**bundle, "entry": entries}
    _check(service, loaded)
    guard = None
    if member is not None:
        row = member[0]

        def guard(conn: Connection) -> None:
            members.save_member(conn, row.plan_id, row.record, expected_revision=row.revision)

    response = service.store.transaction(loaded, before_commit=guard)
    return LoadResult(response, kept)


def _legal_entries(service: Any, entries: list[Record]) -> tuple[list[Record], list[Issue]]:
    """Entries without the Task snapshots the state machine refuses, and an issue for each."""
    legal, kept = [], []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        issue = _illegal_move(service, resource, index) if isinstance(resource, dict) else None
        if issue is None:
            legal.append(entry)
        else:
            kept.append(issue)
    return legal, kept


def _illegal_move(service: Any, task: Record, index: int) -> Issue | None:
    if task.get("resourceType") != "Task" or not task.get("id"):
        return None
    try:
        stored = service.store.read("Task", task["id"]).resource
    except NotFound:
        return None
    except Exception:
        return None
    kind = task_kind(task) or task_kind(stored)
    problems = check_snapshot(kind, stored, task) if kind else []
    if not problems:
        return None
    text = f"Task/{task['id']} kept as stored ({stored.get('status')}): {problems[0].message}"
    return Issue("warning", "business-rule", text, (f"Bundle.entry[{index}].resource.status",))


def _member_of(service: Any, entries: list[Record]) -> tuple[Any, Record, Record] | None:
    """(member row, header, directory) of the Bundle's Patient when the service knows them."""
    from adapter.services.member_service import MEMBER_ID_SYSTEM

    for entry in entries:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") != "Patient":
            continue
        for identifier in resource.get("identifier") or []:
            if identifier.get("system") != MEMBER_ID_SYSTEM:
                continue
            with service.store.reading() as conn:
                row = members.load_member(conn, str(identifier.get("value")))
                plan = members.load_plan_export(conn, row.plan_id) if row else None
            if row is not None and plan is not None:
                return row, plan[0], plan[1]
    return None


def _with_derived(service: Any, entries: list[Record], member: tuple) -> list[Record]:
    """The Bundle's entries, those the mapping derives from the member's record replaced by
    what the record says today (the record is where every decision is kept)."""
    row, header, directory = member
    remapped = remap_member(
        header,
        directory,
        row.record,
        as_of=service.today(),
        settings=service.settings,
        validator=service.validator,
    )
    derived = {_key(e): e for e in remapped.bundle["entry"]}
    merged = [derived.pop(_key(e), e) for e in entries]
    return merged + list(derived.values())


def _key(entry: Record) -> tuple[str, str]:
    resource = entry.get("resource") or {}
    return (str(resource.get("resourceType")), str(resource.get("id")))


def _check(service: Any, bundle: Record) -> None:
    """Profile errors (in `reject` mode) and local references that resolve nowhere refuse it."""
    issues: list[Issue] = []
    if service.settings.validation_mode == "reject":
        # A `Type/id` the Bundle lacks may be stored: the store decides that below.
        found = service.validator.validate(bundle)
        issues += [i for i in found if i.is_error and not _relative_not_found(i)]
    if service.settings.reference_integrity:
        issues += dangling_references(bundle, known=lambda t, i: _stored(service, t, i))
    if issues:
        raise Unprocessable("the Bundle was not loaded", issues=issues)


def _relative_not_found(issue: Issue) -> bool:
    return issue.code == "not-found" and not issue.message.startswith("urn:")


def _stored(service: Any, resource_type: str, resource_id: str) -> bool:
    try:
        service.store.read(resource_type, resource_id)
    except Exception:
        return False
    return True
