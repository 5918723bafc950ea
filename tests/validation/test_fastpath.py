"""The fast FHIRPath subset gives exactly fhirpathpy's answers, or steps aside."""

from __future__ import annotations

import pytest

from adapter.validation.fastpath import Env, NotFast, compile_fast
from adapter.validation.invariants import EvaluationScope, InvariantEngine
from adapter.validation.model import Constraint

TASK = {
    "resourceType": "Task",
    "status": "completed",
    "intent": "order",
    "authoredOn": "2026-03-01",
    "lastModified": "2026-04-01",
    "input": [
        {"type": {"coding": [{"system": "s", "code": "choice"}]}, "valueString": "a"},
        {"type": {"coding": [{"system": "s", "code": "choice"}]}, "valueInteger": 2},
    ],
    "restriction": {"period": {"start": "2026-03-01", "end": "2026-02-01T10:00:00Z"}},
    "extension": [{"url": "http://e", "valueBoolean": True}],
}

EXPRESSIONS = [
    "status = 'completed'",
    "status != 'completed'",
    "priority = 'routine'",
    "priority.exists() or status.exists()",
    "priority.exists() and status.exists()",
    "priority = 'routine' or status = 'completed'",
    "priority = 'routine' and status = 'ready'",
    "priority = 'routine' implies status = 'ready'",
    "status = 'completed' implies priority = 'routine'",
    "status = 'completed' xor intent = 'order'",
    "input.count() >= 2",
    "input.where(type.coding.where(system = 's' and code = 'choice').exists()).count() = 2",
    "input.all(type.exists())",
    "input.select(type.coding.code).isDistinct()",
    "input.value.exists()",
    "input.value.ofType(string) = 'a'",
    "input.value.ofType(integer) > 1",
    "(input.count() + extension.count()) > 2",
    "extension('http://e').exists()",
    "extension('http://other').empty()",
    "lastModified >= authoredOn",
    "restriction.period.start <= restriction.period.end",
    "status in ('ready' | 'completed')",
    "('ready' | 'completed') contains status",
    "status.startsWith('comp') and status.endsWith('ted') and status.contains('plet')",
    "status.hasValue() and input.hasValue().not()",
    "%resource.status = 'completed' and %rootResource.intent = 'order'",
    "input.first().value = 'a' and input.last().value = 2 and input[1].value = 2",
    "iif(status = 'completed', intent = 'order', false)",
    "input.type.coding.code.trace('codes').count() = 2",
    "status & '-' & intent = 'completed-order'",
    "{}.empty()",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_fast_result_equals_fhirpathpy(expression):
    fast = compile_fast(expression)
    assert fast is not None, "expected inside the fast subset"
    scope = EvaluationScope()
    try:
        result = fast([TASK], Env([TASK], TASK, TASK, scope))
    except NotFast:
        result = None
    slow = InvariantEngine(fast=False)
    fast_engine = InvariantEngine()
    rule = Constraint("x-1", "error", "", expression)
    expected = slow.failure(rule, TASK, "Task", TASK, TASK)
    assert fast_engine.failure(rule, TASK, "Task", TASK, TASK) == expected
    if result is not None:
        assert (result == [True]) == (expected is None)


def test_dates_of_different_precision_step_aside():
    fast = compile_fast("restriction.period.start <= restriction.period.end")
    with pytest.raises(NotFast):
        fast([TASK], Env([TASK], TASK, TASK, EvaluationScope()))


def test_primitive_extensions_step_aside():
    resource = {**TASK, "_status": {"extension": [{"url": "u", "valueString": "x"}]}}
    with pytest.raises(NotFast):
        compile_fast("status.exists()")([resource], Env([resource], resource, resource, None))


@pytest.mark.parametrize(
    "expression",
    ["status.matches('c.*')", "status is code", "today() > authoredOn", "children().count() > 1"],
)
def test_outside_the_subset_is_left_to_fhirpathpy(expression):
    assert compile_fast(expression) is None
