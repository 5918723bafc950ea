"""Helpers for the intake tests: write an export in any form, say where a reader points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapter.records.writers import write_export

FORMS = ("json", "ndjson", "csv")


def write_form(document: dict[str, Any], form: str, folder: Path) -> Path:
    """Write `document` in `form` under `folder`; the path a reader takes."""
    path = folder / {"json": "export.json", "ndjson": "export.ndjson", "csv": "export"}[form]
    write_export(document, path, form)
    return path


def member_location(form: str, path: Path, index: int) -> tuple[str, str]:
    """(file, location) a reader reports for the member at `index` (its members.csv row)."""
    if form == "json":
        return str(path), f"/members/{index}"
    if form == "ndjson":
        return str(path), f"line {index + 2}"
    return str(path / "members.csv"), f"row {index + 2}"
