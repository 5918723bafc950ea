"""The CSV form: a folder with one file per record kind, joined by member_id."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from adapter.records import csv_layout as layout
from adapter.records.assemble import RawExport, RawMember
from adapter.records.csv_cells import format_cell, parse_cell
from adapter.records.files import Unreadable, read_bytes
from adapter.records.limits import current_limits
from adapter.records.model import RecordError
from adapter.records.schema import RecordPath, field_path

_MEMBER_KEYED = {**layout.MEMBER_PART_FILES, **layout.MEMBER_LIST_FILES}


@dataclass
class Row:
    """One data row: its spreadsheet row number (the header is row 1) and its cells."""

    number: int
    cells: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column or "", message)

    @property
    def location(self) -> str:
        return f"row {self.number}"


def read_csv_folder(folder: Path) -> RawExport:
    """Read every file of a CSV export folder; any missing or unreadable file refuses the export."""
    raw = RawExport(str(folder), None, lambda _p: (str(folder / layout.EXPORT_FILE), ""))
    tables = _read_tables(folder, raw.errors)
    if tables is None:
        return raw
    _read_header(folder, tables, raw)
    _read_members(folder, tables, raw)
    return raw


def _read_tables(folder: Path, errors: list[RecordError]) -> dict[str, list[Row]] | None:
    if not folder.is_dir():
        errors.append(RecordError(str(folder), "", "", "not a folder of CSV files"))
        return None
    tables: dict[str, list[Row]] = {}
    for name in layout.all_files():
        try:
            tables[name] = _read_table(folder / name, _columns(name))
        except Unreadable as exc:
            errors.append(exc.error)
    return tables if len(tables) == len(layout.all_files()) else None


def _columns(name: str) -> list[str]:
    if name == layout.EXPORT_FILE:
        return [c for c, _ in layout.EXPORT_COLUMNS]
    if name == layout.MEMBERS_FILE:
        return [c for c, _ in layout.MEMBER_COLUMNS]
    for file, columns in (*layout.DIRECTORY_FILES.values(), *_MEMBER_KEYED.values()):
        if file == name:
            prefix = [] if name in _directory_files() else [layout.MEMBER_ID_COLUMN]
            return prefix + [c for c, _ in columns]
    raise KeyError(name)


def _directory_files() -> set[str]:
    return {file for file, _ in layout.DIRECTORY_FILES.values()}


def _read_table(path: Path, expected: list[str]) -> list[Row]:
    # surrogateescape keeps bad bytes visible per cell, so one bad row rejects one member only.
    text = read_bytes(path).decode("utf-8-sig", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        _check_header(path, header, expected)
        suspect = _UNDECODED.search(text) is not None
        rows = []
        for k, cells in enumerate(reader):
            if k >= current_limits().max_rows:
                message = f"has more than {current_limits().max_rows} rows"
                raise Unreadable(RecordError(str(path), f"row {k + 2}", "", message))
            if cells:
                rows.append(_row(header, cells, k + 2, suspect))
        return rows
    except csv.Error as exc:
        row = f"row {reader.line_num}"
        message = f"not valid CSV: {exc} (the file may be cut short)"
        raise Unreadable(RecordError(str(path), row, "", message)) from None


def _check_header(path: Path, header: list[str], expected: list[str]) -> None:
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    if missing or unknown:
        parts = [f"missing column(s) {', '.join(missing)}"] if missing else []
        parts += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise Unreadable(RecordError(str(path), "row 1", "", "; ".join(parts)))


# Bytes that were not UTF-8, as surrogateescape decoding keeps them.
_UNDECODED = re.compile("[\udc80-\udcff]")


def _row(header: list[str], cells: list[str], number: int, suspect: bool) -> Row:
    row = Row(number, dict(zip(header, cells, strict=False)))
    limit = current_limits().max_field_chars
    for column, cell in row.cells.items():
        if len(cell) > limit:
            row.problems.append((column, f"is longer than {limit} characters"))
            row.cells[column] = ""
    if len(cells) != len(header):
        message = f"has {len(cells)} cells, the header has {len(header)} (cut short?)"
        row.problems.append(("", message))
    if not suspect:
        return row
    for column, cell in row.cells.items():
        if _UNDECODED.search(cell):
            row.problems.append((column, "is not valid UTF-8 text; save the file as UTF-8"))
            row.cells[column] = cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return row


def _record(row: Row, columns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A row's non-empty cells as a nested record (empty cells are absent fields)."""
    record: dict[str, Any] = {}
    cells = row.cells
    for column, parents, leaf, kind in _paths(columns):
        cell = cells.get(column)
        if not cell:
            continue
        target = record
        for name in parents:
            target = target.setdefault(name, {})
        target[leaf] = cell if kind == "text" else parse_cell(cell, kind)
    return record


@cache
def _paths(columns: tuple[tuple[str, str], ...]) -> list[tuple[str, list[str], str, str]]:
    """(column, parent field names, field name, kind) for each column, split once."""
    return [(c, c.split(".")[:-1], c.rsplit(".", 1)[-1], kind) for c, kind in columns]


def _row_errors(file: str, row: Row, prefix: RecordPath) -> list[tuple[RecordPath, RecordError]]:
    found = []
    for column, message in row.problems:
        path = (*prefix, *column.split(".")) if column else prefix
        found.append((path, RecordError(file, row.location, field_path(path), message)))
    return found


def _read_header(folder: Path, tables: dict[str, list[Row]], raw: RawExport) -> None:
    export_file = str(folder / layout.EXPORT_FILE)
    rows = tables[layout.EXPORT_FILE]
    header: dict[str, Any] = {"export": {}, "directory": {}}
    origins: dict[tuple[str, int], tuple[str, str]] = {}
    if len(rows) != 1:
        problem = RecordError(export_file, "", "", f"must hold exactly 1 row, found {len(rows)}")
        raw.header_errors.append((("export",), problem))
    else:
        header["export"] = _record(rows[0], layout.EXPORT_COLUMNS)
        raw.header_errors += _row_errors(export_file, rows[0], ("export",))
    for kind, (name, columns) in layout.DIRECTORY_FILES.items():
        entries = header["directory"][kind] = []
        for i, row in enumerate(tables[name]):
            entries.append(_record(row, columns))
            origins[(kind, i)] = (str(folder / name), row.location)
            raw.header_errors += _row_errors(str(folder / name), row, ("directory", kind, i))
    raw.header = header
    raw.locate_header = lambda path: _locate_header(path, origins, export_file)


def _locate_header(
    path: RecordPath, origins: dict[tuple[str, int], tuple[str, str]], export_file: str
) -> tuple[str, str]:
    if len(path) >= 3 and path[0] == "directory":
        return origins.get((str(path[1]), int(path[2])), (export_file, ""))
    return export_file, "row 2"


class _MemberRows:
    """One member's record being joined from several files, remembering each part's row."""

    def __init__(self, record: dict[str, Any], file: str, row: Row) -> None:
        self.record = record
        self.origins: dict[RecordPath, tuple[str, str]] = {("member",): (file, row.location)}
        self.raw = RawMember(record, self.locate)

    def locate(self, path: RecordPath) -> tuple[str, str]:
        for size in (3, 2):
            if path[:size] in self.origins:
                return self.origins[path[:size]]
        return self.origins[("member",)]

    def add(self, prefix: RecordPath, items: list[Any], file: str, row: Row) -> None:
        path = (*prefix, len(items))
        self.origins[path] = (file, row.location)
        if row.problems:
            self.raw.errors.extend(e for _, e in _row_errors(file, row, path))
            if any(column == "" for column, _ in row.problems):
                return  # a cut-short row is reported, not half-read
        items.append(_record(row, _MEMBER_KEYED[prefix[-1]][1]))


def _read_members(folder: Path, tables: dict[str, list[Row]], raw: RawExport) -> None:
    members_file = str(folder / layout.MEMBERS_FILE)
    joined: dict[str, _MemberRows] = {}
    for row in tables[layout.MEMBERS_FILE]:
        member = _MemberRows({"member": _record(row, layout.MEMBER_COLUMNS)}, members_file, row)
        member.raw.errors.extend(e for _, e in _row_errors(members_file, row, ("member",)))
        member_id = row.cells.get(layout.MEMBER_ID_COLUMN, "")
        first = joined.setdefault(member_id, member)
        if first is not member:
            message = f"member id {member_id!r} already appears at {first.locate(('member',))[1]}"
            member.raw.errors.append(
                RecordError(members_file, row.location, "member.member_id", message)
            )
        raw.members.append(member.raw)
    for list_name, (name, _columns) in _MEMBER_KEYED.items():
        file = str(folder / name)
        for row in tables[name]:
            _join_row(file, list_name, row, joined, raw)


def _join_row(
    file: str, list_name: str, row: Row, joined: dict[str, _MemberRows], raw: RawExport
) -> None:
    member_id = row.cells.get(layout.MEMBER_ID_COLUMN, "")
    member = joined.get(member_id)
    if member is None:
        message = f"no member {member_id!r} in {layout.MEMBERS_FILE}"
        raw.errors.append(RecordError(file, row.location, layout.MEMBER_ID_COLUMN, message))
        return
    if list_name in layout.MEMBER_PART_FILES:
        items = member.record["member"].setdefault(list_name, [])
        member.add(("member", list_name), items, file, row)
    else:
        member.add((list_name,), member.record.setdefault(list_name, []), file, row)


def write_csv_folder(document: dict[str, Any], folder: Path) -> None:
    """Write an export document as a CSV folder (every file, header rows even when empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / layout.EXPORT_FILE, layout.EXPORT_COLUMNS, [document["export"]])
    for kind, (name, columns) in layout.DIRECTORY_FILES.items():
        _write(folder / name, columns, document["directory"][kind])
    records = document["members"]
    _write(folder / layout.MEMBERS_FILE, layout.MEMBER_COLUMNS, [r["member"] for r in records])
    for list_name, (name, columns) in _MEMBER_KEYED.items():
        part = list_name in layout.MEMBER_PART_FILES
        rows = [
            (r["member"]["member_id"], item)
            for r in records
            for item in ((r["member"] if part else r).get(list_name) or [])
        ]
        _write(folder / name, columns, [item for _, item in rows], [mid for mid, _ in rows])


def _write(
    path: Path,
    columns: tuple[tuple[str, str], ...],
    items: list[Any],
    member_ids: list[str] | None = None,
) -> None:
    """One file; member-keyed files (member_ids given) start with the member_id column."""
    lead = [layout.MEMBER_ID_COLUMN] if member_ids is not None else []
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(lead + [c for c, _ in columns])
        for i, item in enumerate(items):
            cells = [format_cell(_value(item, column), kind) for column, kind in columns]
            writer.writerow(([member_ids[i]] if member_ids is not None else []) + cells)


def _value(item: Any, column: str) -> Any:
    for name in column.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(name)
    return item
