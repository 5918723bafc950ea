"""Shared helpers for the intake tests: small exports written in any of the three forms."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from adapter.records.generator import generate_export
from adapter.records.scenarios import sample_export
from adapter.records.writers import write_export

FORMS = ("json", "ndjson", "csv")
_SMALL = generate_export(4, seed=5)
_SAMPLE = sample_export()


@pytest.fixture
def small_export() -> dict[str, Any]:
    """Four generated members, fresh for each test to mutate."""
    return copy.deepcopy(_SMALL)


@pytest.fixture(scope="session")
def sample_document() -> dict[str, Any]:
    return _SAMPLE


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
