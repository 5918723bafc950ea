"""Fixtures for the intake tests: a small generated export and the bundled sample."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapter.records.generator import generate_export
from adapter.records.scenarios import sample_export

_SMALL = generate_export(4, seed=5)
_SAMPLE = sample_export()


@pytest.fixture
def small_export() -> dict[str, Any]:
    """Four generated members, fresh for each test to mutate."""
    return copy.deepcopy(_SMALL)


@pytest.fixture(scope="session")
def sample_document() -> dict[str, Any]:
    return _SAMPLE
