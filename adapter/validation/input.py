"""Guards against hostile input: a checked copy bounding depth and array size, JSON types only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

SCALARS = (str, int, float, bool, Decimal, type(None))


class MalformedInput(Exception):
    """Input that is not JSON-shaped or exceeds a limit; located by a FHIRPath-like path."""

    def __init__(self, message: str, expression: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression


def checked_copy(value: Any, max_depth: int, max_array_length: int) -> Any:
    """A deep copy (FHIRPath evaluation may annotate its input, and callers keep theirs intact)."""
    try:
        return _copy(value, max_depth, max_array_length, 0)
    except MalformedInput as problem:
        # Locating the problem costs a second walk, paid only by bad input.
        where = _locate(value, max_depth, max_array_length, _root_name(value), 0)
        raise MalformedInput(problem.message, where or _root_name(value)) from None


def _root_name(value: Any) -> str:
    kind = value.get("resourceType") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) and kind.isidentifier() else "Resource"


def _copy(value: Any, max_depth: int, max_len: int, depth: int) -> Any:
    if depth > max_depth:
        raise MalformedInput(f"Nesting deeper than {max_depth} levels is refused")
    if isinstance(value, dict):
        copy = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise MalformedInput(f"Property name {key!r} is not a string")
            # most values are plain strings within the depth limit: kept without a call
            plain = type(item) is str and depth < max_depth
            copy[key] = item if plain else _copy(item, max_depth, max_len, depth + 1)
        return copy
    if isinstance(value, list):
        if len(value) > max_len:
            raise MalformedInput(f"Arrays longer than {max_len} items are refused")
        return [
            item
            if type(item) is str and depth < max_depth
            else _copy(item, max_depth, max_len, depth + 1)
            for item in value
        ]
    if isinstance(value, SCALARS):
        return value
    raise MalformedInput(f"{type(value).__name__} is not a JSON value")


def _locate(value: Any, max_depth: int, max_len: int, where: str, depth: int) -> str | None:
    """The path of the first part `_copy` refuses."""
    if depth > max_depth:
        return where
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return where
            found = _locate(item, max_depth, max_len, f"{where}.{key}", depth + 1)
            if found:
                return found
        return None
    if isinstance(value, list):
        if len(value) > max_len:
            return where
        for index, item in enumerate(value):
            found = _locate(item, max_depth, max_len, f"{where}[{index}]", depth + 1)
            if found:
                return found
        return None
    return None if isinstance(value, SCALARS) else where
