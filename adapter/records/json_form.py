"""The JSON form: one document {"export", "directory", "members"}."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from adapter.records.assemble import RawExport, RawMember
from adapter.records.files import Unreadable, parse_json_bytes, read_bytes
from adapter.records.model import RecordError
from adapter.records.schema import RecordPath


def read_json(path: Path) -> RawExport:
    """Parse one JSON export document; members are located by JSON Pointer (/members/3)."""
    file = str(path)
    raw = RawExport(file, None, lambda p: (file, _header_pointer(p)))
    try:
        document = parse_json_bytes(read_bytes(path), file)
    except Unreadable as exc:
        raw.errors.append(exc.error)
        return raw
    if not isinstance(document, dict) or not isinstance(document.get("members"), list):
        message = 'expected an object with "export", "directory" and a "members" list'
        raw.errors.append(RecordError(file, "/", "", message))
        return raw
    raw.header = {k: v for k, v in document.items() if k != "members"}
    raw.members = [_member(file, i, record) for i, record in enumerate(document["members"])]
    return raw


def _member(file: str, index: int, record: Any) -> RawMember:
    location = f"/members/{index}"
    return RawMember(record, lambda _path: (file, location))


def _header_pointer(path: RecordPath) -> str:
    # Point at the directory entry or the export object, the unit a reader would open.
    if path and path[0] == "directory":
        return "/" + "/".join(str(p) for p in path[:3])
    if path and path[0] == "export":
        return "/export"
    return "/"


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write an export document as indented JSON (keys in record order, UTF-8)."""
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
