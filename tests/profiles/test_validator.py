"""The validator engine accepts every valid example and reports each bad one's expected error."""

from __future__ import annotations

import pytest

from adapter.validation import default_validator
from tests.profiles.loading import (
    artifact_files,
    bad_example_files,
    expected_errors,
    read_json,
    valid_example_files,
)


def name(path):
    return path.name


@pytest.mark.parametrize("path", valid_example_files(), ids=name)
def test_valid_example_has_no_errors(path):
    issues = default_validator().validate(read_json(path))
    assert [i for i in issues if i.is_error] == []


@pytest.mark.parametrize("path", bad_example_files(), ids=name)
def test_bad_example_reports_its_expected_errors(path):
    errors = [i for i in default_validator().validate(read_json(path)) if i.is_error]
    for expected in expected_errors()[path.name]["expected"]:
        # An invariant is named by its key; a binding by its value set.
        named = f"Constraint {expected['key']} " if "key" in expected else expected["value_set"]
        matching = [
            i for i in errors if named in i.message and i.expression == (expected["expression"],)
        ]
        assert matching, f"{named} not reported; got {[i.message for i in errors]}"


@pytest.mark.parametrize(
    "path",
    [p for p in artifact_files() if p.name.startswith(("CodeSystem-", "ValueSet-"))],
    ids=name,
)
def test_terminology_resources_are_valid_r4(path):
    issues = default_validator().validate(read_json(path))
    assert [i for i in issues if i.is_error] == []
