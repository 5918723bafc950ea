"""The labelled conformance corpus: exact error-level issues, other expected issues present."""

from __future__ import annotations

import functools

import pytest

from adapter.errors import InvalidRequest
from adapter.validation import Validator
from adapter.validation.definitions import load_base_r4, load_directory
from adapter.validation.fhir_xml import parse_xml, to_xml
from tests.validation.corpus import PROFILES_DIR, Case, load_cases

CASES = load_cases()


@functools.cache
def validator() -> Validator:
    definitions = load_base_r4()
    assert load_directory(definitions, PROFILES_DIR) == []
    return Validator(definitions)


def test_corpus_is_large_enough():
    assert len(CASES) >= 400
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


def _as_xml(case: Case):
    """The case's resource read back from its XML form; None when XML cannot carry it as is
    (JSON-only faults such as nulls, empty arrays or wrong JSON types)."""
    definitions = validator().definitions
    try:
        back = parse_xml(to_xml(case.resource, definitions), definitions)
    except (InvalidRequest, ValueError, TypeError, KeyError, AttributeError):
        return None
    return back if back == case.resource else None


XML_CASES = [case for case in CASES if _as_xml(case) is not None]


def test_most_cases_also_run_as_xml():
    assert len(XML_CASES) >= 0.8 * len(CASES)


@pytest.mark.parametrize("case", XML_CASES, ids=lambda c: c.id)
def test_case_as_xml(case: Case):
    """The same verdict when the instance arrives as FHIR XML."""
    definitions = validator().definitions
    resource = parse_xml(to_xml(case.resource, definitions), definitions)
    issues = validator().validate(resource, case.profiles)
    errors = sorted((i.severity, i.expression[0]) for i in issues if i.is_error)
    assert tuple(errors) == case.errors
    found = {(i.severity, i.expression[0]) for i in issues}
    assert all(expected in found for expected in case.others)


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
