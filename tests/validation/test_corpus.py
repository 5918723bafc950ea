"""The labelled conformance corpus: exact error-level issues, other expected issues present."""

from __future__ import annotations

import functools

import pytest

from adapter.validation import Validator
from adapter.validation.definitions import load_base_r4, load_directory
from tests.validation.corpus import PROFILES_DIR, Case, load_cases

CASES = load_cases()


@functools.cache
def validator() -> Validator:
    definitions = load_base_r4()
    assert load_directory(definitions, PROFILES_DIR) == []
    return Validator(definitions)


def test_corpus_is_large_enough():
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case):
    issues = validator().validate(case.resource, case.profiles)
    errors = sorted((i.severity, i.expression[0]) for i in issues if i.is_error)
    shown = "\n".join(f"{i.severity} {i.expression} {i.message}" for i in issues)
    assert tuple(errors) == case.errors, shown
    found = {(i.severity, i.expression[0]) for i in issues}
    for expected in case.others:
        assert expected in found, shown


@functools.cache
def reference_validator() -> Validator:
    """The same checks with every invariant evaluated by fhirpathpy alone."""
    slow = Validator(validator().definitions)
    slow.invariants.fast = False
    return slow


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fast_invariants_agree_with_fhirpathpy(case: Case):
    fast = validator().validate(case.resource, case.profiles)
    assert fast == reference_validator().validate(case.resource, case.profiles)
