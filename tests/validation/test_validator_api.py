"""The public API: default validator, caller profiles, input safety, limits, must-support."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

from adapter.outcome import Issue
from adapter.validation import Validator, default_validator
from tests.validation.conftest import TEST_BASE

TASK = {
    "resourceType": "Task",
    "id": "t1",
    "status": "requested",
    "intent": "order",
    "for": {"reference": "Patient/p1"},
}


def errors(issues: list[Issue]) -> list[tuple[str, ...]]:
    return [i.expression for i in issues if i.is_error]


def test_default_validator_is_built_once():
    assert default_validator() is default_validator()
    assert errors(default_validator().validate(TASK)) == []


def test_every_issue_has_one_fhirpath_expression(validator):
    issues = validator.validate({**TASK, "status": "bogus", "colour": "red"})
    assert issues and all(len(i.expression) == 1 and i.expression[0] for i in issues)


def test_profiles_none_or_empty_validates_against_base(validator):
    assert validator.validate(TASK, None) == validator.validate(TASK, ())


def test_input_is_not_modified(validator, definitions):
    resource = {
        **TASK,
        "contained": [{"resourceType": "Patient", "id": "p"}],
        "for": {"reference": "#p"},
        "restriction": {"period": {"start": "2026-01-01", "end": "2026-02-01"}},
    }
    before = copy.deepcopy(resource)
    validator.validate(resource, [f"{TEST_BASE}/StructureDefinition/test-task"])
    assert resource == before


def test_decimals_parsed_as_decimal_keep_their_precision(validator):
    text = '{"resourceType": "Observation", "status": "final", "code": {"text": "w"},'
    text += ' "valueQuantity": {"value": 19.0, "unit": "kg"}}'
    observation = json.loads(text, parse_float=Decimal)
    assert errors(validator.validate(observation)) == []
    assert str(observation["valueQuantity"]["value"]) == "19.0"


def test_deep_nesting_is_refused_with_an_issue(definitions):
    validator = Validator(definitions, max_depth=10)
    nested: dict = {"url": "http://example.org/e", "valueString": "x"}
    for _ in range(12):
        nested = {"url": "http://example.org/e", "extension": [nested]}
    issues = validator.validate({**TASK, "extension": [nested]})
    assert [i.code for i in issues] == ["structure"]
    assert "deeper than 10" in issues[0].message
    assert issues[0].expression[0].startswith("Task.extension[0]")


def test_huge_arrays_are_refused_with_an_issue(definitions):
    validator = Validator(definitions, max_array_length=100)
    notes = [{"text": "n"}] * 101
    issues = validator.validate({**TASK, "note": notes})
    assert [(i.severity, i.expression) for i in issues] == [("error", ("Task.note",))]


def test_values_that_are_not_json_give_an_issue(validator):
    issues = validator.validate({**TASK, "description": {"a", "b"}})
    assert [(i.severity, i.expression) for i in issues] == [("error", ("Task.description",))]


def test_must_support_absence_is_reported_as_information_when_asked(definitions):
    validator = Validator(definitions, report_must_support=True)
    resource = {
        **TASK,
        "businessStatus": {"text": "x"},
        "restriction": {"repetitions": 1},
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]
        },
    }
    issues = validator.validate(resource, [f"{TEST_BASE}/StructureDefinition/test-task"])
    info = {i.expression[0] for i in issues if i.severity == "information"}
    assert {"Task.owner", "Task.restriction.period"} <= info


def test_product_profiles_load_into_the_default_validator():
    validator = default_validator()
    assert validator.definitions.structure_definition("Task") is not None
    assert (
        validator.validate(TASK, ["https://ltsc-adapter.org/fhir/StructureDefinition/none"])[0].code
        == "not-found"
    )


def test_strings_over_one_megabyte_are_refused(validator: Validator):
    """R4 datatypes: strings SHALL NOT exceed 1 MB; base64Binary content may."""
    at_limit = dict(TASK, description="a" * (1024 * 1024))
    assert errors(validator.validate(at_limit)) == []
    over = dict(TASK, description="é" * (600 * 1024))  # 1.2 MB in UTF-8
    assert errors(validator.validate(over)) == [("Task.description",)]
    binary = {"resourceType": "Binary", "id": "b", "contentType": "text/plain"}
    binary["data"] = "QUFB" * (400 * 1024)
    assert errors(validator.validate(binary)) == []


def test_unknown_declared_profile_is_a_warning_and_the_base_type_is_checked(
    validator: Validator,
):
    task = dict(TASK, meta={"profile": ["http://example.org/nowhere"]}, status="bogus")
    issues = validator.validate(task)
    assert ("warning", ("Task.meta.profile[0]",)) in [(i.severity, i.expression) for i in issues]
    assert errors(issues) == [("Task.status",)]


def test_unknown_profile_asked_by_the_caller_is_an_error(validator: Validator):
    assert errors(validator.validate(TASK, ["http://example.org/nowhere"])) == [("Task",)]
