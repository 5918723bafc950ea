"""An event's item checked as the plan-export intake checks it: schema, references, periods."""

from __future__ import annotations

from typing import Any

from adapter.outcome import Issue
from adapter.records.consistency import member_consistency_errors
from adapter.records.references import DirectoryIndex, member_errors
from adapter.records.schema import RecordPath, field_path, schema_errors
from adapter.services.events import ADDRESS_EVENTS, EVENT_KINDS, item_key

Record = dict[str, Any]


def unknown_kind_issue(kind: str) -> Issue:
    known = ", ".join(EVENT_KINDS)
    return Issue("error", "not-supported", f"unknown event kind {kind!r}; use one of {known}")


def item_issues(kind: str, item: Any, record: Record, directory: Record) -> list[Issue]:
    """Every problem of `item` as the one entry of `kind`, located as `{kind}[0].field`."""
    definition = EVENT_KINDS[kind][0]
    found = [
        _issue("structure", (kind, 0, *path), text)
        for path, text in schema_errors(definition, item)
    ]
    if found:
        return found  # the checks below assume a schema-valid item
    sample = _sample_record(kind, item, record)
    problems = [*member_errors(sample, DirectoryIndex.of(directory))]
    problems += member_consistency_errors(sample)
    problems += _status_event_errors(kind, item)
    # Only the item's own problems: the rest of the record passed intake already.
    return [_issue("invariant", p, text) for p, text in problems if p[:2] == (kind, 0)]


def _sample_record(kind: str, item: Record, record: Record) -> Record:
    """The item alone in its list, beside the member's goals and recommendations it may name."""
    sample: Record = {
        "member": {},
        "goals": record.get("goals") or [],
        "service_recommendations": record.get("service_recommendations") or [],
    }
    others = [i for i in record.get(kind) or [] if item_key(kind, i) != item_key(kind, item)]
    sample[kind] = [item, *others] if kind == "service_recommendations" else [item]
    return sample


def _status_event_errors(kind: str, item: Record) -> list[tuple[RecordPath, str]]:
    if kind == "status_events" and item["type"] in ADDRESS_EVENTS and not item.get("address"):
        return [((kind, 0, "address"), f"is required for a {item['type']} event (STATUS-SHARE)")]
    return []


def _issue(code: str, path: RecordPath, text: str) -> Issue:
    return Issue("error", code, f"{field_path(path)}: {text}", (field_path(path),))
