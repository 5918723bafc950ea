"""The per-shape plans (adapter.validation.shapes) change no verdict: values are checked on every
instance, and each element (of each profile) has its own plans."""

from __future__ import annotations

import copy

import pytest

from adapter.validation import Validator, default_validator, shapes
from adapter.validation.shapes import ShapePlans

OFFER_TASK = "https://ltsc-adapter.org/fhir/StructureDefinition/ltsc-offer-task"
US_CORE_PATIENT = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"

PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "name": [{"family": "Santos", "given": ["Maria"]}],
    "gender": "female",
    "birthDate": "1971-03-14",
    "telecom": [{"system": "phone", "value": "508-555-0142"}],
}

TASK = {
    "resourceType": "Task",
    "id": "t1",
    "status": "requested",
    "intent": "order",
    "for": {"reference": "Patient/p1"},
}


def messages(issues) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(i.severity, i.message, i.expression) for i in issues]


def fresh(definitions) -> Validator:
    return Validator(definitions)


def test_a_value_error_in_a_second_resource_of_the_same_shape_is_reported(definitions):
    warm = fresh(definitions)
    assert [i for i in warm.validate(PATIENT) if i.is_error] == []
    bad = copy.deepcopy(PATIENT)
    bad["birthDate"] = "1971-02-30"  # same keys, a date no calendar has
    bad["gender"] = "woman"  # not in the required AdministrativeGender binding
    bad["telecom"][0]["system"] = "carrier-pigeon"  # required ContactPointSystem binding
    issues = warm.validate(bad)
    where = {i.expression[0] for i in issues if i.is_error}
    assert {"Patient.birthDate", "Patient.gender", "Patient.telecom[0].system"} <= where
    assert messages(issues) == messages(fresh(definitions).validate(bad))


def test_the_same_shape_gives_the_same_issues_warm_and_cold(definitions):
    resources = []
    for birth_date, family, status in [
        ("1971-03-14", "Santos", "requested"),
        ("not-a-date", "", "bogus"),
        ("1980-01-01", "Lee", "completed"),
        ("1980-13-01", "Lee", ""),
    ]:
        resources.append({**PATIENT, "birthDate": birth_date, "name": [{"family": family}]})
        resources.append({**TASK, "status": status})
    warm = fresh(definitions)
    warm_issues = [messages(warm.validate(r)) for r in resources]
    cold_issues = [messages(fresh(definitions).validate(r)) for r in resources]
    assert warm_issues == cold_issues
    assert any(issues for issues in warm_issues[1::2])  # the bad ones did report


def test_unknown_elements_are_reported_for_every_resource_of_that_shape(definitions):
    warm = fresh(definitions)
    for identifier in ("t1", "t2", "t3"):
        issues = warm.validate({**TASK, "id": identifier, "colour": "red"})
        assert [i.expression for i in issues if i.is_error] == [("Task.colour",)]


def test_a_primitive_extension_takes_the_full_path_in_a_shape_of_its_own(definitions):
    warm = fresh(definitions)
    warm.validate(PATIENT)
    with_extension = {**PATIENT, "_birthDate": {"extension": [{"url": "x"}]}}
    issues = warm.validate(with_extension)
    assert messages(issues) == messages(fresh(definitions).validate(with_extension))
    assert any(i.expression[0].startswith("Patient.birthDate.extension") for i in issues)


def test_null_and_arrays_where_a_single_primitive_is_expected_are_still_refused(definitions):
    warm = fresh(definitions)
    warm.validate(PATIENT)
    for wrong in (None, ["1971-03-14"], {"value": "1971-03-14"}):
        issues = warm.validate({**PATIENT, "birthDate": wrong})
        assert any(i.is_error and "birthDate" in i.expression[0] for i in issues), wrong


@pytest.mark.parametrize("profile_first", [True, False])
def test_two_profiles_do_not_share_plans(profile_first):
    """Task against base R4 and against ltsc-offer-task: the profile requires businessStatus
    (cardinality), the base does not; whichever runs first, each keeps its own verdict."""
    validator = Validator(default_validator().definitions)
    required = "Task.businessStatus: minimum required = 1, but found 0"
    runs = [[OFFER_TASK], []] if profile_first else [[], [OFFER_TASK]]
    found = {}
    for profiles in runs:
        issues = validator.validate(TASK, profiles)
        found[bool(profiles)] = [i.message for i in issues if i.is_error]
    assert required in found[True]
    assert required not in found[False]


def test_key_order_does_not_change_the_issues(definitions):
    warm = fresh(definitions)
    reordered = dict(reversed(list({**TASK, "status": "bogus"}.items())))
    assert sorted(messages(warm.validate({**TASK, "status": "bogus"}))) == sorted(
        messages(warm.validate(reordered))
    )


def test_a_full_cache_starts_again_without_changing_verdicts(definitions, monkeypatch):
    monkeypatch.setattr(shapes, "MAX_SHAPES", 2)
    small = fresh(definitions)
    expected = [messages(fresh(definitions).validate(r)) for r in (PATIENT, TASK)]
    for _ in range(3):
        assert [messages(small.validate(r)) for r in (PATIENT, TASK)] == expected
    assert len(small._shapes._plans) <= 2


def test_plans_are_kept_per_element_and_key_set(definitions):
    validator = fresh(definitions)
    plans = ShapePlans()
    task_root = validator.type_root("Task")
    patient_root = validator.type_root("Patient")
    value = {"resourceType": "Task", "id": "t1", "status": "draft"}
    task_plan = plans.plan(task_root, value, True, validator.is_plain_primitive)
    assert plans.plan(task_root, dict(value), True, validator.is_plain_primitive) is task_plan
    patient_plan = plans.plan(patient_root, value, True, validator.is_plain_primitive)
    assert patient_plan is not task_plan
    assert patient_plan.unknown == ("status",) and task_plan.unknown == ()
    as_element = plans.plan(task_root, value, False, validator.is_plain_primitive)
    assert as_element.unknown == ("resourceType",)


def test_a_bound_string_is_checked_against_its_value_set_on_every_resource():
    """us-core-patient binds Address.state (a string) to us-core-usps-state, extensible: the
    code cannot be checked offline, which is said for each Patient, not only the first."""
    validator = Validator(default_validator().definitions)
    patient = {**PATIENT, "address": [{"city": "Worcester", "state": "MA"}]}
    for identifier in ("p1", "p2"):
        issues = validator.validate({**patient, "id": identifier}, [US_CORE_PATIENT])
        state = [i for i in issues if i.expression == ("Patient.address[0].state",)]
        assert [i.severity for i in state] == ["information"]
        assert "us-core-usps-state" in state[0].message


def test_a_primitive_present_only_as_its_extension_is_walked(definitions):
    warm = fresh(definitions)
    only_extension = {k: v for k, v in PATIENT.items() if k != "birthDate"}
    only_extension["_birthDate"] = {"extension": [{"url": "x"}]}
    for _ in range(2):
        issues = warm.validate(only_extension)
        assert messages(issues) == messages(fresh(definitions).validate(only_extension))


def test_objects_with_very_many_keys_are_planned_but_not_kept(definitions):
    validator = fresh(definitions)
    crowded = {**TASK, **{f"x{n}": n for n in range(shapes.MAX_KEYS_KEPT + 1)}}
    issues = validator.validate(crowded)
    assert sum(1 for i in issues if i.message.startswith("Unknown element 'x")) == len(crowded) - 5
    assert all(len(key[2]) <= shapes.MAX_KEYS_KEPT for key in validator._shapes._plans)
