"""Referential checks: every staff, CBO, vendor and goal id in an export must resolve."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from adapter.records.schema import RecordPath

# (list, field, what it must name); a list-valued field is checked item by item.
MEMBER_REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("care_coordinator_assignments", "staff_id", "care coordinator"),
    ("ltsc_assignments", "staff_id", "LTS-C"),
    ("offers", "choices", "LTS-C"),
    ("offers", "chosen_staff_id", "LTS-C"),
    ("consents", "staff_id", "LTS-C"),
    ("service_recommendations", "recommended_by", "staff member"),
    ("service_recommendations", "vendor_id", "vendor"),
    ("service_recommendations", "goal_ids", "goal"),
    ("service_recommendations", "alternative_for", "recommendation"),
    ("status_events", "reported_by", "staff member"),
    ("communications", "sender", "staff member"),
    ("communications", "recipients", "staff member"),
)

# Record ids that must be unique within one member: they become FHIR resource ids.
MEMBER_RECORD_IDS: tuple[tuple[str, str], ...] = (
    ("assessments", "assessment_id"),
    ("ltss_needs", "need_id"),
    ("institutional_admissions", "admission_id"),
    ("ltsc_requests", "request_id"),
    ("offers", "offer_id"),
    ("consents", "consent_id"),
    ("goals", "goal_id"),
    ("service_recommendations", "recommendation_id"),
    ("status_events", "event_id"),
    ("communications", "communication_id"),
)

DIRECTORY_IDS: tuple[tuple[str, str], ...] = (
    ("cbos", "cbo_id"),
    ("ltsc_staff", "staff_id"),
    ("care_coordinators", "staff_id"),
    ("vendors", "vendor_id"),
)


@dataclass(frozen=True)
class DirectoryIndex:
    """The ids a member record may point at."""

    ids: dict[str, frozenset[str]]

    @classmethod
    def of(cls, directory: dict[str, Any]) -> DirectoryIndex:
        ltsc = frozenset(s["staff_id"] for s in directory["ltsc_staff"])
        cc = frozenset(s["staff_id"] for s in directory["care_coordinators"])
        return cls(
            {
                "LTS-C": ltsc,
                "care coordinator": cc,
                "staff member": ltsc | cc,
                "vendor": frozenset(v["vendor_id"] for v in directory["vendors"]),
            }
        )


def directory_errors(directory: dict[str, Any]) -> Iterator[tuple[RecordPath, str]]:
    """Duplicate ids (staff ids are shared by LTS-Cs and CCs) and LTS-Cs of unknown CBOs."""
    seen: dict[str, dict[str, RecordPath]] = {"cbos": {}, "staff": {}, "vendors": {}}
    for kind, key in DIRECTORY_IDS:
        space = seen["staff"] if key == "staff_id" else seen[kind]
        for i, entry in present(directory[kind]):
            first = space.setdefault(entry[key], ("directory", kind, i))
            if first != ("directory", kind, i):
                yield ("directory", kind, i, key), f"{entry[key]!r} is already used by {_at(first)}"
    cbos = seen["cbos"]
    for i, staff in present(directory["ltsc_staff"]):
        if staff["cbo_id"] not in cbos:
            yield ("directory", "ltsc_staff", i, "cbo_id"), f"no CBO {staff['cbo_id']!r} in cbos"


def present(entries: list[Any]) -> Iterator[tuple[int, Any]]:
    """Entries with their original index, skipping those already dropped (None)."""
    return ((i, e) for i, e in enumerate(entries) if e is not None)


def member_errors(record: dict[str, Any], index: DirectoryIndex) -> list[tuple[RecordPath, str]]:
    """Unresolved references and repeated record ids inside one (schema-valid) member."""
    local = {
        "goal": frozenset(g["goal_id"] for g in record.get("goals", [])),
        "recommendation": frozenset(
            r["recommendation_id"] for r in record.get("service_recommendations", [])
        ),
    }
    found = list(_duplicate_ids(record))
    for list_name, key, kind in MEMBER_REFERENCES:
        known = local[kind] if kind in local else index.ids[kind]
        for i, item in enumerate(record.get(list_name, [])):
            found.extend(_unresolved((list_name, i, key), item.get(key), known, kind))
    return found


def _unresolved(
    path: RecordPath, value: Any, known: frozenset[str], kind: str
) -> Iterator[tuple[RecordPath, str]]:
    if value is None:
        return
    if isinstance(value, list):
        for j, item in enumerate(value):
            if item not in known:
                yield (*path, j), f"no {kind} {item!r} in this export"
    elif value not in known:
        yield path, f"no {kind} {value!r} in this export"


def _duplicate_ids(record: dict[str, Any]) -> Iterator[tuple[RecordPath, str]]:
    for list_name, key in MEMBER_RECORD_IDS:
        first: dict[str, int] = {}
        for i, item in enumerate(record.get(list_name, [])):
            j = first.setdefault(item[key], i)
            if j != i:
                yield (list_name, i, key), f"{item[key]!r} is already used by {list_name}[{j}]"


def _at(path: RecordPath) -> str:
    _, kind, i = path
    return f"{kind}[{i}]"
