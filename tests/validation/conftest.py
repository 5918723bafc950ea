"""Shared fixtures: a validator over base R4 plus the small test profiles in this folder."""

from __future__ import annotations

import pytest

from adapter.validation import Validator
from adapter.validation.definitions import Definitions, load_base_r4, load_directory
from tests.validation.corpus import PROFILES_DIR

TEST_BASE = "http://example.org/fhir/test"


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    loaded = load_base_r4()
    assert load_directory(loaded, PROFILES_DIR) == []
    return loaded


@pytest.fixture(scope="session")
def validator(definitions: Definitions) -> Validator:
    return Validator(definitions)
