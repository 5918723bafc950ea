"""map_export and sample_bundles: the path the CLI, the store and the API share."""

from __future__ import annotations

import datetime as dt

import pytest

from adapter.mapping.errors import MappingError
from adapter.mapping.pipeline import as_of_date, map_export, map_export_checked, sample_bundles

from .conftest import GOLDEN_DIR, load_scenario

CHANGE_SCENARIO = GOLDEN_DIR / "ltsc-change-denied"


def from_file(derived: dict):
    return lambda record, directory, as_of: derived[record["member"]["member_id"]]


def test_map_export_yields_member_bundles_in_export_order() -> None:
    document, derived = load_scenario(CHANGE_SCENARIO)
    mapped = list(map_export(document, derive=from_file(derived)))
    assert [member_id for member_id, _ in mapped] == ["M200001", "M200002"]
    assert all(bundle["type"] == "transaction" for _, bundle in mapped)


def test_the_rules_clock_is_the_export_date() -> None:
    assert as_of_date({"generated_at": "2026-10-15T08:30:00-04:00"}) == dt.date(2026, 10, 15)


def test_derive_gets_the_record_directory_and_as_of_date() -> None:
    document, derived = load_scenario(CHANGE_SCENARIO)
    seen = []

    def derive(record, directory, as_of):
        seen.append((record["member"]["member_id"], sorted(directory), as_of))
        return derived[record["member"]["member_id"]]

    list(map_export(document, derive=derive))
    assert seen[0] == (
        "M200001",
        ["care_coordinators", "cbos", "ltsc_staff", "vendors"],
        dt.date(2026, 10, 15),
    )


def test_a_bundle_the_fhir_models_refuse_raises_with_located_issues() -> None:
    document, derived = load_scenario(CHANGE_SCENARIO)
    document["members"][1]["member"]["birth_date"] = "30/01/1980"
    with pytest.raises(MappingError) as caught:
        list(map_export(document, derive=from_file(derived)))
    assert caught.value.http_status == 422
    (issue,) = caught.value.issues
    assert issue.expression[0].endswith(".resource.birthDate")


def test_checked_mapping_reports_issues_instead_of_raising() -> None:
    document, derived = load_scenario(CHANGE_SCENARIO)
    document["members"][1]["member"]["birth_date"] = "30/01/1980"
    results = list(map_export_checked(document, derive=from_file(derived)))
    assert [len(r.issues) for r in results] == [0, 1]


def test_sample_bundles_map_every_sample_member() -> None:
    bundles = list(sample_bundles())
    assert bundles
    patients = [
        e["resource"]["id"]
        for b in bundles
        for e in b["entry"]
        if e["resource"]["resourceType"] == "Patient"
    ]
    assert len(patients) == len(bundles) == len(set(patients))


def test_source_ids_that_collide_after_normalizing_are_reported() -> None:
    document, derived = load_scenario(CHANGE_SCENARIO)
    goals = document["members"][0]["goals"]
    goals.append({**goals[0], "goal_id": "g_4"})  # "G-4" and "g_4" both become goal-...-g-4
    first = next(iter(map_export_checked(document, derive=from_file(derived))))
    (issue,) = first.issues
    assert issue.code == "duplicate"
    assert "Goal/goal-m200001-g-4" in issue.message


def test_every_sample_bundle_validates_against_our_profiles() -> None:
    from adapter.validation.validator import default_validator

    validator = default_validator()
    errors = [
        (bundle["entry"][-1]["resource"]["id"], issue)
        for bundle in sample_bundles()
        for issue in validator.validate(bundle)
        if issue.is_error
    ]
    assert errors == []
