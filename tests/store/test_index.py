"""Index values: the path walker, date ranges, references, strings and tokens."""

from __future__ import annotations

from datetime import datetime

import pytest

from adapter.store.dates import MAX_INSTANT, parse_range
from adapter.store.index import index_rows, normalize, split_reference
from adapter.store.paths import compile_expression


def values(rows, param, *columns):
    return sorted(tuple(r[c] for c in columns) for r in rows if r["param"] == param)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("2026", datetime(2026, 1, 1), datetime(2026, 12, 31, 23, 59, 59, 999999)),
        ("2026-02", datetime(2026, 2, 1), datetime(2026, 2, 28, 23, 59, 59, 999999)),
        ("2026-12", datetime(2026, 12, 1), datetime(2026, 12, 31, 23, 59, 59, 999999)),
        ("2026-03-01", datetime(2026, 3, 1), datetime(2026, 3, 1, 23, 59, 59, 999999)),
        (
            "2026-03-01T10:00:00-04:00",
            datetime(2026, 3, 1, 14),
            datetime(2026, 3, 1, 14, 0, 0, 999999),
        ),
        (
            "2026-03-01T10:00:00.25Z",
            datetime(2026, 3, 1, 10, 0, 0, 250000),
            datetime(2026, 3, 1, 10, 0, 0, 250000),
        ),
    ],
)
def test_date_ranges_follow_precision(text, low, high):
    assert parse_range(text) == (low, high)


@pytest.mark.parametrize("text", ["", "26-01-01", "2026-13-01", "2026-02-30", "yesterday"])
def test_invalid_dates_have_no_range(text):
    assert parse_range(text) is None


def test_walker_handles_choice_types_casts_and_resolve_filters():
    walk = compile_expression(
        "Observation.effective | (RiskAssessment.occurrence as dateTime) | Task.for.where("
        "resolve() is Patient)",
        "Task",
    )
    task = {"resourceType": "Task", "for": {"reference": "Group/g1"}}
    assert walk(task) == []
    assert walk({**task, "for": {"reference": "Patient/p1"}}) == [{"reference": "Patient/p1"}]
    effective = compile_expression("Observation.effective", "Observation")
    assert effective({"effectivePeriod": {"start": "2026"}}) == [{"start": "2026"}]
    cast = compile_expression("(RiskAssessment.occurrence as dateTime)", "RiskAssessment")
    assert cast({"occurrenceDateTime": "2026-01-01", "occurrencePeriod": {}}) == ["2026-01-01"]


def test_walker_where_literal_and_fhirpath_fallback():
    walk = compile_expression(
        "Measure.relatedArtifact.where(type='depends-on').resource", "Measure"
    )
    measure = {
        "relatedArtifact": [
            {"type": "depends-on", "resource": "Library/a"},
            {"type": "composed-of", "resource": "Library/b"},
        ]
    }
    assert walk(measure) == ["Library/a"]
    deceased = compile_expression(
        "Patient.deceased.exists() and Patient.deceased != false", "Patient"
    )
    assert deceased({"resourceType": "Patient", "deceasedDateTime": "2026-01-01"}) == [True]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("Patient/p1", ("Patient", "p1")),
        ("https://fhir.example.org/base/Patient/p1", ("Patient", "p1")),
        ("Patient/p1/_history/3", ("Patient", "p1")),
        ("urn:uuid:6f1a8c1e-4c55-4a8e-9b1b-0d0a1f5c2a11", None),
        ("#contained", None),
        ("p1", None),
    ],
)
def test_split_reference(reference, expected):
    assert split_reference(reference) == expected


def test_normalize_folds_case_and_accents():
    assert normalize("Sántos ÉLAN") == "santos elan"


def test_task_rows_cover_the_searches_that_matter():
    task = {
        "resourceType": "Task",
        "status": "ready",
        "businessStatus": {"coding": [{"system": "bs", "code": "due"}]},
        "for": {"reference": "Patient/p1"},
        "focus": {"reference": "ServiceRequest/sr1"},
        "executionPeriod": {"start": "2026-03-01"},
        "identifier": [{"system": "sys", "value": "v"}],
    }
    rows = index_rows("Task", "t1", task)
    assert values(rows, "status", "system", "value") == [(None, "ready")]
    assert values(rows, "business-status", "system", "value") == [("bs", "due")]
    assert values(rows, "patient", "system", "value") == [("Patient", "p1")]
    assert values(rows, "focus", "system", "value") == [("ServiceRequest", "sr1")]
    assert values(rows, "identifier", "system", "value") == [("sys", "v")]
    assert values(rows, "period", "low", "high") == [(datetime(2026, 3, 1), MAX_INSTANT)]


def test_patient_name_and_address_strings():
    patient = {
        "resourceType": "Patient",
        "name": [{"family": "Sántos", "given": ["Maria"]}],
        "address": [{"city": "Worcester", "postalCode": "01604"}],
        "active": True,
    }
    rows = index_rows("Patient", "p1", patient)
    assert values(rows, "name", "value", "exact") == [("maria", "Maria"), ("santos", "Sántos")]
    assert ("worcester", "Worcester") in values(rows, "address", "value", "exact")
    assert values(rows, "active", "value") == [("true",)]
