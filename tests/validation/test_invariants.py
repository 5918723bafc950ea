"""FHIRPath invariants: compiled once, supplied functions, failures never pass."""

from __future__ import annotations

from adapter.validation.invariants import SCOPE, EvaluationScope, InvariantEngine
from adapter.validation.model import Constraint

RESOURCE = {"resourceType": "Task", "status": "ready", "intent": "order"}


def rule(expression: str, key: str = "t-1") -> Constraint:
    return Constraint(key, "error", "test rule", expression)


def test_expressions_compile_once():
    engine = InvariantEngine(fast=False)
    engine.failure(rule("status = 'ready'"), RESOURCE, "Task", RESOURCE, RESOURCE)
    first = engine._compiled["status = 'ready'"]
    engine.failure(rule("status = 'ready'"), RESOURCE, "Task", RESOURCE, RESOURCE)
    assert engine._compiled["status = 'ready'"] is first


def test_true_passes_false_and_empty_fail():
    engine = InvariantEngine()
    assert engine.failure(rule("status = 'ready'"), RESOURCE, "Task", RESOURCE, RESOURCE) is None
    why = engine.failure(rule("status = 'done'"), RESOURCE, "Task", RESOURCE, RESOURCE)
    assert why == "is not satisfied"
    why = engine.failure(rule("priority = 'routine'"), RESOURCE, "Task", RESOURCE, RESOURCE)
    assert why == "evaluated to empty"


def test_unknown_function_is_a_failure_not_a_pass():
    engine = InvariantEngine()
    why = engine.failure(rule("status.sparkle()"), RESOURCE, "Task", RESOURCE, RESOURCE)
    assert why is not None and "sparkle" in why


def test_unparseable_expression_is_a_failure():
    why = InvariantEngine().failure(rule("status = = ("), RESOURCE, "Task", RESOURCE, RESOURCE)
    assert why is not None and why.startswith("could not be")


def test_has_value_distinguishes_values_from_extension_only_primitives():
    engine = InvariantEngine()
    with_value = {**RESOURCE, "description": "x"}
    extension_only = {**RESOURCE, "_description": {"extension": [{"url": "u", "valueString": "y"}]}}
    check = rule("description.hasValue()")
    assert engine.failure(check, with_value, "Task", with_value, with_value) is None
    assert engine.failure(check, extension_only, "Task", extension_only, extension_only)


def test_resolve_uses_the_scope_of_the_resource_being_validated():
    engine = InvariantEngine()
    task = {**RESOURCE, "for": {"reference": "Patient/p1"}}
    check = rule("for.resolve().is(Patient)")
    assert engine.failure(check, task, "Task", task, task) is not None
    token = SCOPE.set(EvaluationScope({"Patient/p1": {"resourceType": "Patient", "id": "p1"}}))
    try:
        assert engine.failure(check, task, "Task", task, task) is None
    finally:
        SCOPE.reset(token)


def test_trace_in_r4_expressions_writes_nothing(capsys):
    engine = InvariantEngine()
    check = rule("status.trace('status') = 'ready'")
    assert engine.failure(check, RESOURCE, "Task", RESOURCE, RESOURCE) is None
    assert capsys.readouterr().out == ""


def test_choice_elements_resolve_through_the_r4_model():
    engine = InvariantEngine()
    item = {"type": {"text": "t"}, "valueString": "x"}
    check = rule("value.exists() and value is string")
    assert engine.failure(check, item, "Task.input", RESOURCE, RESOURCE) is None


def test_native_ele_1_matches_its_meaning():
    engine = InvariantEngine()
    ele_1 = rule("hasValue() or (children().count() > id.count())", "ele-1")
    assert engine.failure(ele_1, {"id": "x"}, "Period", RESOURCE, RESOURCE)
    assert engine.failure(ele_1, {"start": "2026"}, "Period", RESOURCE, RESOURCE) is None


def test_conforms_to_validates_against_the_named_profile(definitions):
    from adapter.validation import Validator

    local = definitions.copy()
    local.add(
        {
            "resourceType": "StructureDefinition",
            "url": "http://example.org/fhir/test/StructureDefinition/team-of-members",
            "type": "CareTeam",
            "kind": "resource",
            "derivation": "constraint",
            "baseDefinition": "http://hl7.org/fhir/StructureDefinition/CareTeam",
            "differential": {
                "element": [
                    {
                        "id": "CareTeam",
                        "path": "CareTeam",
                        "constraint": [
                            {
                                "key": "tm-1",
                                "severity": "error",
                                "human": "Contained patients conform to test-patient",
                                "expression": "contained.all(conformsTo("
                                "'http://example.org/fhir/test/StructureDefinition/test-patient'))",
                            }
                        ],
                    }
                ]
            },
        }
    )
    validator = Validator(local)
    profile = "http://example.org/fhir/test/StructureDefinition/team-of-members"
    team = {
        "resourceType": "CareTeam",
        "contained": [{"resourceType": "Patient", "id": "p", "gender": "female"}],
        "subject": {"reference": "#p"},
    }
    failed = [i for i in validator.validate(team, [profile]) if "tm-1" in i.message]
    assert [(i.severity, i.expression) for i in failed] == [("error", ("CareTeam",))]
    team["contained"][0].update(
        identifier=[
            {"system": "http://example.org/fhir/test/NamingSystem/member-id", "value": "1"}
        ],
        name=[{"family": "Santos"}],
    )
    assert not [i for i in validator.validate(team, [profile]) if "tm-1" in i.message]
