"""Issues render as FHIR OperationOutcome with the element's location."""

import pytest

from adapter.errors import NotFound, Unprocessable
from adapter.outcome import Issue, has_errors, operation_outcome


def test_issue_renders_expression_and_text():
    outcome = operation_outcome([Issue("error", "value", "bad status", ("Task.status",))])
    assert outcome["resourceType"] == "OperationOutcome"
    (issue,) = outcome["issue"]
    assert issue == {
        "severity": "error",
        "code": "value",
        "details": {"text": "bad status"},
        "diagnostics": "bad status",
        "expression": ["Task.status"],
    }


def test_empty_outcome_says_all_ok():
    (issue,) = operation_outcome([])["issue"]
    assert issue["severity"] == "information"


def test_unknown_severity_is_refused():
    with pytest.raises(ValueError):
        Issue("bad", "value", "x")


def test_errors_know_status_and_code():
    err = Unprocessable("Task.status: 'bogus' is not in TaskStatus", expression="Task.status")
    assert err.http_status == 422
    assert err.outcome()["issue"][0]["expression"] == ["Task.status"]
    assert NotFound("no such Task").outcome()["issue"][0]["code"] == "not-found"
    assert has_errors(err.issues)
