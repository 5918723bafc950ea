"""Shared fixtures for the mapping tests and the `--update-golden` switch."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"
BASIC_SCENARIO = GOLDEN_DIR / "ltsc-accepted"
# docs/architecture.md §4: the fixed order of entries in every member Bundle.
ENTRY_TYPE_ORDER = [
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Patient",
    "Consent",
    "CareTeam",
    "Condition",
    "Goal",
    "ServiceRequest",
    "Task",
    "Procedure",
    "CarePlan",
    "Communication",
    "Provenance",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/mapping/golden/*/expected from the current mapping",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def load_scenario(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scenario's export document and its derived facts by member id."""
    document = json.loads((folder / "input.json").read_text(encoding="utf-8"))
    derived = json.loads((folder / "derived.json").read_text(encoding="utf-8"))
    return document, derived


@pytest.fixture
def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh copy of the basic scenario, safe to change in a test."""
    return copy.deepcopy(load_scenario(BASIC_SCENARIO))
