"""Turn what a reader parsed into a checked PlanExport: schema, references, unique members."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from adapter.records.consistency import (
    directory_consistency_errors,
    member_consistency_errors,
    plan_export_errors,
)
from adapter.records.defaults import with_defaults
from adapter.records.model import PlanExport, RecordError
from adapter.records.references import DirectoryIndex, directory_errors, member_errors
from adapter.records.schema import RecordPath, field_path, schema_errors

# Maps a path inside a unit (the header or one member) to the (file, location) it came from.
Locator = Callable[[RecordPath], tuple[str, str]]


@dataclass
class RawMember:
    """One member record as parsed, not yet checked, with the problems its reader already saw."""

    record: Any
    locate: Locator
    errors: list[RecordError] = field(default_factory=list)


@dataclass
class RawExport:
    """A reader's output: header ({"export", "directory"}) and members, unchecked.

    `header` is None when the file could not be read at all; `unreadable_members` counts member
    records seen but not parsed (an NDJSON line that is not JSON).
    """

    source: str
    header: Any
    locate_header: Locator
    members: list[RawMember] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    header_errors: list[tuple[RecordPath, RecordError]] = field(default_factory=list)
    unreadable_members: int = 0
    # A plan's own export (every member has a CC); False for EHR documents (C-CDA).
    plan_export: bool = True


@dataclass
class Assembled:
    export: PlanExport | None
    errors: list[RecordError]
    members_read: int
    members_rejected: int


def assemble(raw: RawExport) -> Assembled:
    """Check a reader's output; keep the valid members, report every problem."""
    errors = list(raw.errors)
    seen = len(raw.members) + raw.unreadable_members
    header = _checked_header(raw, errors)
    if header is None:
        errors.extend(_refused_members(raw))
        return Assembled(None, errors, seen, seen)
    checker = MemberChecker(header, plan_export=raw.plan_export)
    members: list[dict[str, Any]] = []
    for member in raw.members:
        record, problems = checker.check(member)
        errors.extend(problems)
        if record is not None:
            members.append(record)
    export = PlanExport(raw.source, header["export"], header["directory"], members)
    return Assembled(export, errors, seen, seen - len(members))


def checked_header(raw: RawExport, errors: list[RecordError]) -> dict[str, Any] | None:
    """The header with bad directory entries dropped (each reported into `errors`), or None
    when the export is unusable; members are left to a MemberChecker."""
    errors.extend(raw.errors)
    return _checked_header(raw, errors)


class MemberChecker:
    """Checks members one at a time against a checked header: schema, references, dates and
    member ids unique within the export (the first one seen is kept)."""

    def __init__(self, header: dict[str, Any], *, plan_export: bool = True) -> None:
        self.index = DirectoryIndex.of(header["directory"])
        self.plan_export = plan_export
        self.first_seen: dict[str, str] = {}

    def check(self, member: RawMember) -> tuple[dict[str, Any] | None, list[RecordError]]:
        """The member record with its defaults, or None and every problem found in it."""
        problems = _member_problems(member, self.index, self.first_seen, self.plan_export)
        if problems:
            return None, problems
        return with_defaults(member.record, "member_record"), []


def _checked_header(raw: RawExport, errors: list[RecordError]) -> dict[str, Any] | None:
    """The header with bad directory entries dropped, or None if the export is unusable."""
    if raw.header is None:
        return None
    problems = schema_errors("header", raw.header) + [(p, e.message) for p, e in raw.header_errors]
    dropped = _report(raw, problems, errors)
    if _fatal(problems):
        return None
    # Dropped entries stay as None until the end, so later errors keep the original indices.
    header = _blanked(raw.header, dropped)
    # Dates before references: a CBO dropped for its contract takes its LTS-Cs with it.
    for check in (directory_consistency_errors, directory_errors):
        dropped = _report(raw, list(check(header["directory"])), errors)
        header = _blanked(header, dropped)
    header["directory"] = {
        kind: [e for e in entries if e is not None] for kind, entries in header["directory"].items()
    }
    with_defaults(header["export"], "export")
    for kind, definition in _DIRECTORY_DEFINITIONS.items():
        for entry in header["directory"][kind]:
            with_defaults(entry, definition)
    return header


_DIRECTORY_DEFINITIONS = {
    "cbos": "cbo",
    "ltsc_staff": "ltsc_staff",
    "care_coordinators": "care_coordinator",
    "vendors": "vendor",
}


def _report(
    raw: RawExport, problems: Iterable[tuple[RecordPath, str]], errors: list[RecordError]
) -> set[tuple[str, int]]:
    """Record header problems; return the directory entries they disqualify."""
    dropped: set[tuple[str, int]] = set()
    for path, message in problems:
        file, location = raw.locate_header(path)
        errors.append(RecordError(file, location, field_path(path), message))
        if _is_entry(path):
            dropped.add((str(path[1]), int(path[2])))
    return dropped


def _is_entry(path: RecordPath) -> bool:
    return len(path) >= 3 and path[0] == "directory" and isinstance(path[2], int)


def _fatal(problems: list[tuple[RecordPath, str]]) -> bool:
    # Without a valid export header there is no "as of" clock nor plan: nothing can be used.
    return any(not _is_entry(path) for path, _ in problems)


def _blanked(header: dict[str, Any], dropped: set[tuple[str, int]]) -> dict[str, Any]:
    directory = {
        kind: [None if (kind, i) in dropped else e for i, e in enumerate(entries)]
        for kind, entries in header["directory"].items()
    }
    return {**header, "directory": directory}


def _member_problems(
    member: RawMember, index: DirectoryIndex, first_seen: dict[str, str], plan_export: bool
) -> list[RecordError]:
    problems = schema_errors("member_record", member.record)
    if not problems:
        problems = member_errors(member.record, index)
        problems.extend(member_consistency_errors(member.record))
        if plan_export:
            problems.extend(plan_export_errors(member.record))
        problems.extend(_duplicate_member(member, first_seen))
    return list(member.errors) + [_located(member.locate, p, m) for p, m in problems]


def _duplicate_member(
    member: RawMember, first_seen: dict[str, str]
) -> list[tuple[RecordPath, str]]:
    member_id = member.record["member"]["member_id"]
    _, location = member.locate(("member",))
    first = first_seen.setdefault(member_id, location)
    if first == location:
        return []
    return [(("member", "member_id"), f"member id {member_id!r} already appears at {first}")]


def _located(locate: Locator, path: RecordPath, message: str) -> RecordError:
    file, location = locate(path)
    return RecordError(file, location, field_path(path), message)


def _refused_members(raw: RawExport) -> list[RecordError]:
    if not raw.members:
        return []
    file, _ = raw.locate_header(())
    message = f"{len(raw.members)} member(s) not read because the export header is unusable"
    return [RecordError(file, "", "", message)]
