"""Size limits on plan export files, so a hostile or broken file is refused, not processed."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from adapter.config import Settings, settings_from_env
from adapter.errors import ConfigurationError


@dataclass(frozen=True)
class ReaderLimits:
    """Bytes per file, JSON nesting and items per array, CSV characters per cell and rows."""

    max_bytes: int
    max_depth: int
    max_items: int
    max_field_chars: int
    max_rows: int


def limits_from(settings: Settings) -> ReaderLimits:
    # An export's largest array is its member list, so arrays share the row limit of CSV files.
    return ReaderLimits(
        max_bytes=settings.max_export_bytes,
        max_depth=settings.max_json_depth,
        max_items=settings.max_csv_rows,
        max_field_chars=settings.max_csv_field_chars,
        max_rows=settings.max_csv_rows,
    )


@functools.cache
def current_limits() -> ReaderLimits:
    """The limits of the ADAPTER_* settings (read once); the defaults if those are invalid."""
    try:
        return limits_from(settings_from_env())
    except ConfigurationError:
        return limits_from(Settings())


def json_shape_problem(value: Any, limits: ReaderLimits) -> str | None:
    """Why a parsed JSON document is too deep or has too long an array, if it is."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            return f"JSON nested deeper than {limits.max_depth} levels"
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            if len(node) > limits.max_items:
                return f"a JSON array has more than {limits.max_items} items"
            stack.extend((child, depth + 1) for child in node)
    return None
