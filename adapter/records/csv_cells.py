"""Cells of the CSV form: "|"-joined lists, "start/end" periods, booleans and numbers."""

from __future__ import annotations

import math
import re
from typing import Any

LIST_SEPARATOR = "|"
_INTEGER = re.compile(r"^-?\d+$")


def join_list(items: list[Any]) -> str:
    """Items joined by "|"; a "|" or "\\" inside an item is escaped with a backslash."""
    return LIST_SEPARATOR.join(
        str(item).replace("\\", "\\\\").replace(LIST_SEPARATOR, "\\" + LIST_SEPARATOR)
        for item in items
    )


def split_list(cell: str) -> list[str]:
    """The inverse of join_list."""
    if "\\" not in cell:
        return cell.split(LIST_SEPARATOR)
    items, current, escaped = [], [], False
    for char in cell:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == LIST_SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return items


def parse_cell(cell: str, kind: str) -> Any:
    """A non-empty cell as a field value; a cell that does not parse stays text for the schema."""
    if kind == "list":
        return split_list(cell)
    if kind == "periods":
        return [_period(item) for item in split_list(cell)]
    if kind == "bool":
        return {"true": True, "false": False}.get(cell, cell)
    if kind == "number":
        return _number(cell)
    return cell


def format_cell(value: Any, kind: str) -> str:
    """A field value as a cell; null and empty lists are empty cells."""
    if value is None or value == []:
        return ""
    if kind == "list":
        return join_list(value)
    if kind == "periods":
        return join_list([f"{p.get('start') or ''}/{p.get('end') or ''}" for p in value])
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _period(item: str) -> dict[str, str]:
    start, _, end = item.partition("/")
    return {"start": start, "end": end} if end else {"start": start}


def _number(cell: str) -> Any:
    if _INTEGER.match(cell):
        return int(cell)
    try:
        value = float(cell)
    except ValueError:
        return cell
    return value if math.isfinite(value) else cell
