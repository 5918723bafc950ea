"""Plan exports member by member: NDJSON read line by line, JSON and CSV read whole as before.

    stream = open_export(Path("big.ndjson"))
    stream.errors        # the header's problems ([] when it is usable)
    for record, errors in stream.members(): ...   # record None when the member is rejected

The checks are those of `read_exports` (assemble.py), one member at a time, so memory stays flat
however many members an NDJSON export has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from adapter.records.assemble import MemberChecker, RawExport, RawMember, checked_header
from adapter.records.files import Unreadable, parse_json_bytes
from adapter.records.intake import format_of, reader_for
from adapter.records.limits import current_limits
from adapter.records.model import PlanExport, RecordError

# Counting lines for the progress total reads the file once more, in blocks of this size.
_BLOCK = 1 << 20


@dataclass
class ExportStream:
    """One export whose members are checked as they are asked for.

    `export` is the checked header and directory (members left empty), None when the header is
    unusable; `total` is the number of member records the file holds, for progress.
    """

    source: str
    export: PlanExport | None
    errors: list[RecordError]
    total: int
    raw_members: Iterable[RawMember | RecordError]
    checker: MemberChecker | None
    members_read: int = 0
    members_rejected: int = 0
    _refused: list[RecordError] = field(default_factory=list)

    @property
    def unusable_header(self) -> bool:
        return any(str(e.field or "").startswith("export.") for e in self.errors)

    def members(self) -> Iterator[tuple[dict[str, Any] | None, list[RecordError]]]:
        """(checked record, []) or (None, its errors) per member record, in file order."""
        for item in self.raw_members:
            self.members_read += 1
            if isinstance(item, RecordError):  # a line that is not JSON
                self.members_rejected += 1
                yield None, [item]
                continue
            if self.checker is None:
                self.members_rejected += 1
                continue
            record, errors = self.checker.check(item)
            self.members_rejected += record is None
            yield record, errors


def open_export(path: Path, fmt: str | None = None) -> ExportStream:
    """The export at `path` with its header checked; its members are read when iterated."""
    name = fmt or format_of(path)
    if name == "ndjson":
        raw, members, total = _open_ndjson(path)
    else:
        raw = reader_for(name)(path)
        members, total = raw.members, len(raw.members) + raw.unreadable_members
    errors: list[RecordError] = []
    header = checked_header(raw, errors)
    if header is None:
        if total:
            message = f"{total} member(s) not read because the export header is unusable"
            errors.append(RecordError(raw.source, "", "", message))
        return ExportStream(raw.source, None, errors, total, [], None, total, total)
    export = PlanExport(raw.source, header["export"], header["directory"], [])
    checker = MemberChecker(header, plan_export=raw.plan_export)
    stream = ExportStream(raw.source, export, errors, total, members, checker)
    if isinstance(members, list) and raw.unreadable_members:
        stream.members_read = stream.members_rejected = raw.unreadable_members
    return stream


def _open_ndjson(path: Path) -> tuple[RawExport, Iterator[RawMember | RecordError], int]:
    """The header line parsed now; member lines parsed one by one as they are read."""
    file = str(path)
    raw = RawExport(file, None, lambda _p: (file, "line 1"))
    limit = current_limits().max_bytes
    try:
        if path.stat().st_size > limit:
            raw.errors.append(RecordError(file, "", "", f"file is larger than {limit} bytes"))
            return raw, iter(()), 0
        stream = path.open("rb")
    except FileNotFoundError:
        raw.errors.append(RecordError(file, "", "", "file not found"))
        return raw, iter(()), 0
    except OSError as exc:
        raw.errors.append(RecordError(file, "", "", f"cannot read: {exc.strerror}"))
        return raw, iter(()), 0
    first = stream.readline().removesuffix(b"\n")
    if not first.strip():
        raw.errors.append(RecordError(file, "", "", "file is empty"))
        stream.close()
        return raw, iter(()), 0
    try:
        raw.header = parse_json_bytes(first, file)
    except Unreadable as exc:
        raw.errors.append(exc.error)
    return raw, _member_lines(stream, file), _count_lines(path) - 1


def _member_lines(stream: BinaryIO, file: str) -> Iterator[RawMember | RecordError]:
    with stream:
        for number, text in enumerate(stream, start=2):
            line = text.removesuffix(b"\n")  # as split by the whole-file reader
            if not line.strip():
                continue
            try:
                record = parse_json_bytes(line, file, number)
            except Unreadable as exc:
                yield exc.error
                continue
            yield RawMember(record, _line_locator(file, number))


def _line_locator(file: str, number: int):
    location = f"line {number}"
    return lambda _path: (file, location)


def _count_lines(path: Path) -> int:
    """Lines in the file, a last one without a newline included (blank lines too: a total for
    progress, not a count of members)."""
    count, last = 0, b"\n"
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")
