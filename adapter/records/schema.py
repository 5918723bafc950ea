"""The plan-export JSON Schema, compiled once, and its errors turned into record paths."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).parent / "schema" / "plan-export.schema.json"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# An instant must carry its offset: a plan's local wall-clock time is ambiguous.
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)

RecordPath = tuple[str | int, ...]
Check = Callable[[Any], bool]


def is_date(value: object) -> bool:
    """A real calendar date written YYYY-MM-DD (2026-02-29 is not one)."""
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_instant(value: object) -> bool:
    """An ISO 8601 date-time with a UTC offset."""
    if not isinstance(value, str) or not _INSTANT.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    # jsonschema checks no formats unless told to; only these two matter for plan exports.
    checker = FormatChecker(formats=())
    checker.checks("date")(lambda v: not isinstance(v, str) or is_date(v))
    checker.checks("date-time")(lambda v: not isinstance(v, str) or is_instant(v))
    return checker


@cache
def schema_document() -> dict[str, Any]:
    """The plan-export schema as shipped in the package."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _root(definition: str) -> dict[str, Any]:
    """The schema of one `$defs` entry, or of "header": export plus directory."""
    if definition == "header":
        return {
            "type": "object",
            "required": ["export", "directory"],
            "additionalProperties": False,
            "properties": {
                "export": {"$ref": "#/$defs/export"},
                "directory": {"$ref": "#/$defs/directory"},
            },
        }
    return {"$ref": f"#/$defs/{definition}"}


@cache
def validator(definition: str) -> Draft202012Validator:
    """A compiled jsonschema validator (with date and instant checks) for one definition."""
    doc = schema_document()
    schema = {"$schema": doc["$schema"], "$defs": doc["$defs"], **_root(definition)}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_format_checker())


@cache
def fast_check(definition: str) -> Check:
    """The yes/no check of one definition, compiled once by jsonschema-rs (tens of microseconds
    per member record, where jsonschema needs milliseconds); only a record it refuses is
    handed to `validator` for the detailed messages."""
    doc = schema_document()
    schema = {"$schema": doc["$schema"], "$defs": doc["$defs"], **_root(definition)}
    formats = {"date": is_date, "date-time": is_instant}
    return jsonschema_rs.validator_for(schema, formats=formats, validate_formats=True).is_valid


def schema_errors(definition: str, instance: Any) -> list[tuple[RecordPath, str]]:
    """Every schema violation of `instance`, as (path, message), sorted by path."""
    if fast_check(definition)(instance):
        return []
    found: list[tuple[RecordPath, str]] = []
    for error in validator(definition).iter_errors(instance):
        found.extend(_explain(error))
    return sorted(found, key=lambda item: _sort_key(item[0]))


def _sort_key(path: RecordPath) -> tuple[tuple[int, str], ...]:
    return tuple((p, "") if isinstance(p, int) else (-1, p) for p in path)


def field_path(path: Iterable[str | int]) -> str:
    """("offers", 0, "choices", 1) -> "offers[0].choices[1]"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _explain(error: ValidationError) -> Iterator[tuple[RecordPath, str]]:
    path: RecordPath = tuple(error.absolute_path)
    kind = error.validator
    if kind == "required":
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                if error.message.startswith(repr(name)):
                    yield (*path, name), "is required"
        return
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        for name in error.instance:
            if name not in known:
                yield (*path, name), "is not a field of this record (check the spelling)"
        return
    if kind == "anyOf":
        yield from _explain_any_of(error)
        return
    yield path, _message(kind, error)


def _message(kind: Any, error: ValidationError) -> str:
    got = _shown(error.instance)
    if kind == "type":
        wanted = error.validator_value
        names = wanted if isinstance(wanted, list) else [wanted]
        return f"must be {' or '.join(_TYPE_NAMES.get(n, n) for n in names)}, got {got}"
    if kind == "enum":
        options = ", ".join("null" if v is None else str(v) for v in error.validator_value)
        return f"must be one of {options}; got {got}"
    if kind == "const":
        return f"must be {error.validator_value!r}; got {got}"
    if kind == "format":
        return _FORMAT_MESSAGES.get(error.validator_value, "has the wrong format") + f"; got {got}"
    if kind == "pattern":
        return f"has the wrong form; got {got}"
    if kind == "minItems":
        return f"needs at least {error.validator_value} item(s)"
    if kind == "minLength":
        return "must not be empty"
    if kind == "uniqueItems":
        return "lists the same value twice"
    return error.message


def _explain_any_of(error: ValidationError) -> Iterator[tuple[RecordPath, str]]:
    # anyOf is only used as "this shape or null": the first branch's errors say what is wrong.
    inner = [e for e in error.context or [] if e.relative_schema_path[0] == 0]
    if not inner:
        yield tuple(error.absolute_path), f"is not valid here; got {_shown(error.instance)}"
    for sub in inner:
        yield from _explain(sub)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_NAMES = {
    "string": "a string",
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
    "number": "a number",
    "integer": "an integer",
    "null": "null",
}
_FORMAT_MESSAGES = {
    "date": "must be a calendar date YYYY-MM-DD",
    "date-time": "must be an ISO 8601 instant with an offset, e.g. 2026-11-01T06:00:00Z",
}
