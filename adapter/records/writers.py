"""Writers for the three forms, chosen by name like the readers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapter.records.csv_form import write_csv_folder
from adapter.records.json_form import write_json
from adapter.records.ndjson_form import write_ndjson

Writer = Callable[[dict[str, Any], Path], None]

WRITERS: dict[str, Writer] = {"json": write_json, "ndjson": write_ndjson, "csv": write_csv_folder}


def write_export(document: dict[str, Any], path: Path, fmt: str) -> None:
    """Write `document` in form `fmt`; an unknown form is refused with the known ones."""
    try:
        writer = WRITERS[fmt]
    except KeyError:
        known = ", ".join(sorted(WRITERS))
        raise ValueError(f"unknown plan-export format {fmt!r}; known formats: {known}") from None
    writer(document, path)
