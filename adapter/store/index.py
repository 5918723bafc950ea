"""Search index rows for a resource: every search parameter's values, typed per parameter kind."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from adapter.store.dates import MAX_INSTANT, MIN_INSTANT, DateRange, parse_range
from adapter.store.params import TABLE_PARAMS, SearchParam, search_params

# Column widths in schema.py; longer values are cut so the row still fits.
MAX_SYSTEM = 255
MAX_VALUE = 512
_NAME_PARTS = ("family", "given", "prefix", "suffix", "text")
_ADDRESS_PARTS = ("line", "city", "district", "state", "postalCode", "country", "text")

Row = dict[str, Any]


def index_rows(resource_type: str, resource_id: str, resource: dict[str, Any]) -> list[Row]:
    """Rows for search_index; duplicates dropped."""
    rows: dict[tuple[Any, ...], Row] = {}
    for param in search_params(resource_type).values():
        if param.code in TABLE_PARAMS:
            continue
        for row in _param_rows(param, resource):
            row.update(res_type=resource_type, res_id=resource_id, param=param.code)
            key = tuple(row.get(c) for c in ("param", "system", "value", "exact", "low", "high"))
            rows[key] = row
    return list(rows.values())


def _param_rows(param: SearchParam, resource: dict[str, Any]) -> Iterator[Row]:
    extract = _EXTRACTORS[param.kind]
    for value in param.walk(resource):
        yield from extract(value)


def normalize(text: str) -> str:
    """Case- and accent-insensitive form used by string search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _text(text: str, width: int) -> str:
    # PostgreSQL text cannot hold NUL: it would refuse the whole write. Searches never match it.
    return text[:width].replace("\x00", "\ufffd")


def _row(system: str | None = None, value: str | None = None, exact: str | None = None) -> Row:
    return {
        "system": _text(system, MAX_SYSTEM) if system else None,
        "value": _text(value, MAX_VALUE) if value is not None else None,
        "exact": _text(exact, MAX_VALUE) if exact is not None else None,
        "low": None,
        "high": None,
    }


def _token_rows(value: Any) -> Iterator[Row]:
    if isinstance(value, bool):
        yield _row(value="true" if value else "false")
    elif isinstance(value, str | int):
        yield _row(value=str(value))
    elif isinstance(value, dict):
        if "coding" in value or "text" in value:  # CodeableConcept; its text serves :text
            for coding in value.get("coding") or []:
                yield from _token_rows(coding)
            if isinstance(value.get("text"), str):
                yield _row(exact=normalize(value["text"]))
        elif "code" in value:
            display = value.get("display")
            text = normalize(display) if isinstance(display, str) else None
            yield _row(value.get("system"), str(value["code"]), text)
        elif "value" in value:  # Identifier, ContactPoint
            yield _row(value.get("system"), str(value["value"]))


def _string_rows(value: Any) -> Iterator[Row]:
    if isinstance(value, str):
        yield _row(value=normalize(value), exact=value)
    elif isinstance(value, dict):
        parts = _NAME_PARTS if ("family" in value or "given" in value) else _ADDRESS_PARTS
        for part in parts:
            for text in _strings(value.get(part)):
                yield _row(value=normalize(text), exact=text)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _reference_rows(value: Any) -> Iterator[Row]:
    reference = value.get("reference") if isinstance(value, dict) else value
    if isinstance(reference, str) and reference:
        target = split_reference(reference)
        yield _row(*target) if target else _row(value=reference)


def split_reference(reference: str) -> tuple[str, str] | None:
    """(type, id) of a literal reference, relative or absolute; None for urn:, #, canonicals."""
    if reference.startswith(("#", "urn:")):
        return None
    parts = reference.split("?", 1)[0].rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) < 2 or not parts[-2][:1].isupper():
        return None
    return parts[-2], parts[-1].split("|", 1)[0]


def _uri_rows(value: Any) -> Iterator[Row]:
    if isinstance(value, str):
        yield _row(value=value)


def _date_rows(value: Any) -> Iterator[Row]:
    for low, high in _date_ranges(value):
        row = _row()
        row.update(low=low, high=high)
        yield row


def _date_ranges(value: Any) -> list[DateRange]:
    if isinstance(value, str):
        parsed = parse_range(value)
        return [parsed] if parsed else []
    if not isinstance(value, dict):
        return []
    if "start" in value or "end" in value:  # Period: an open end reaches the end of time
        start = parse_range(value["start"]) if value.get("start") else None
        end = parse_range(value["end"]) if value.get("end") else None
        return [(start[0] if start else MIN_INSTANT, end[1] if end else MAX_INSTANT)]
    if "event" in value:  # Timing
        return [r for event in value["event"] for r in _date_ranges(event)]
    return []


_EXTRACTORS = {
    "token": _token_rows,
    "string": _string_rows,
    "reference": _reference_rows,
    "uri": _uri_rows,
    "date": _date_rows,
}
