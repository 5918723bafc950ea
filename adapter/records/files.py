"""Reading input files without tracebacks: missing, empty, non-UTF-8 and non-JSON become errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from adapter.records.limits import current_limits, json_shape_problem
from adapter.records.model import RecordError


class Unreadable(Exception):
    """A file (or one line of it) that cannot be read; carries the error to report."""

    def __init__(self, error: RecordError) -> None:
        super().__init__(str(error))
        self.error = error


def read_bytes(path: Path) -> bytes:
    """The file's bytes; an empty or missing file is Unreadable."""
    limit = current_limits().max_bytes
    try:
        if path.stat().st_size > limit:
            raise Unreadable(RecordError(str(path), "", "", f"file is larger than {limit} bytes"))
        data = path.read_bytes()
    except FileNotFoundError:
        raise Unreadable(RecordError(str(path), "", "", "file not found")) from None
    except OSError as exc:
        raise Unreadable(RecordError(str(path), "", "", f"cannot read: {exc.strerror}")) from None
    if _CONTENT.search(data) is None:
        raise Unreadable(RecordError(str(path), "", "", "file is empty"))
    return data


_CONTENT = re.compile(rb"\S")


def parse_json_bytes(data: bytes, file: str, first_line: int = 1) -> Any:
    """Parsed JSON from UTF-8 bytes; decoding is checked separately only when parsing fails."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = parse_json(decode_utf8(data, file, first_line), file, first_line)
    if problem := json_shape_problem(value, current_limits()):
        raise Unreadable(RecordError(file, f"line {first_line}", "", problem))
    return value


def decode_utf8(data: bytes, file: str, first_line: int = 1) -> str:
    """Strict UTF-8 (a byte-order mark is allowed); the error names the line of the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = first_line + data[: exc.start].count(b"\n")
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise Unreadable(RecordError(file, f"line {line}", "", message)) from None


def parse_json(text: str, file: str, first_line: int = 1) -> Any:
    """Parsed JSON; the error names the line and says the file may be cut short."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        line = first_line + exc.lineno - 1
        hint = " (the file may be cut short)" if exc.pos >= len(text.rstrip()) else ""
        message = f"not valid JSON: {exc.msg}{hint}"
        raise Unreadable(RecordError(file, f"line {line}", "", message)) from None
