"""The NDJSON form: a header line {"export", "directory"}, then one member record per line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from adapter.records.assemble import RawExport, RawMember
from adapter.records.files import Unreadable, parse_json_bytes, read_bytes
from adapter.records.model import RecordError


def read_ndjson(path: Path) -> RawExport:
    """Parse the header line and each member line; a bad line rejects only its member."""
    file = str(path)
    raw = RawExport(file, None, lambda _p: (file, "line 1"))
    try:
        lines = read_bytes(path).split(b"\n")
    except Unreadable as exc:
        raw.errors.append(exc.error)
        return raw
    raw.header = _header(lines[0], file, raw.errors)
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            record = parse_json_bytes(line, file, number)
        except Unreadable as exc:
            raw.errors.append(exc.error)
            raw.unreadable_members += 1
            continue
        raw.members.append(_member(file, number, record))
    return raw


def _header(line: bytes, file: str, errors: list[RecordError]) -> Any:
    try:
        return parse_json_bytes(line, file)
    except Unreadable as exc:
        errors.append(exc.error)
        return None


def _member(file: str, number: int, record: Any) -> RawMember:
    location = f"line {number}"
    return RawMember(record, lambda _path: (file, location))


def write_ndjson(document: dict[str, Any], path: Path) -> None:
    """Write an export document as NDJSON: the header line, then one member per line."""
    header = {"export": document["export"], "directory": document["directory"]}
    lines = [orjson.dumps(header)] + [orjson.dumps(m) for m in document["members"]]
    path.write_bytes(b"\n".join(lines) + b"\n")
