"""Task state machines: referral/fulfillment (A), authorization (B, RECOMMEND) and LTS-C offer
(C, CHOICE) transitions, who may make them, and what must hold after."""

import pytest

from adapter.outcome import operation_outcome
from adapter.rules import check_transition, task_kind

REASON = {"text": "vendor has no staff until March"}


def task(status, **extra):
    return {
        "resourceType": "Task",
        "status": status,
        "focus": {"reference": "ServiceRequest/sr-1"},
        **extra,
    }


def offer_task(status, **extra):
    return {
        "resourceType": "Task",
        "status": status,
        "owner": {"reference": "PractitionerRole/cc"},
        "restriction": {"period": {"end": "2026-05-30"}},
        **extra,
    }


def output(kind, code=None):
    value = {"valueCodeableConcept": {"coding": [{"code": code}]}} if code else {"valueString": "x"}
    return {"type": {"coding": [{"code": kind}]}, **value}


def single(issues):
    assert len(issues) == 1, issues
    return issues[0]


def test_fulfillment_completed_to_in_progress_is_rejected_as_business_rule():
    issue = single(check_transition("fulfillment", task("completed"), task("in-progress"), "owner"))
    assert (issue.severity, issue.code, issue.expression) == (
        "error",
        "business-rule",
        ("Task.status",),
    )
    assert "final" in issue.message
    rendered = operation_outcome([issue])["issue"][0]
    assert rendered["expression"] == ["Task.status"]


@pytest.mark.parametrize(("old", "new"), [("requested", "in-progress"), ("requested", "completed")])
def test_fulfillment_skipping_acceptance_is_refused(old, new):
    assert (
        single(check_transition("fulfillment", task(old), task(new), "owner")).code
        == "business-rule"
    )


def test_fulfillment_requester_creates_requested_task_with_focus():
    assert check_transition("fulfillment", None, task("requested"), "requester") == []
    issue = single(check_transition("fulfillment", None, {"status": "requested"}, "requester"))
    assert (issue.code, issue.expression) == ("required", ("Task.focus",))


def test_fulfillment_only_owner_accepts():
    accepted = task("accepted", output=[output("vendor")])
    issue = single(check_transition("fulfillment", task("requested"), accepted, "requester"))
    assert issue.code == "forbidden"
    assert check_transition("fulfillment", task("requested"), accepted, "owner") == []


def test_vendor_fill_accepting_needs_output():
    issue = single(check_transition("fulfillment", task("requested"), task("accepted"), "owner"))
    assert issue.expression == ("Task.output",)


@pytest.mark.parametrize("new", ["rejected", "on-hold", "failed", "cancelled"])
def test_wait_and_denied_alt_moves_need_status_reason_text(new):
    old = "requested" if new in ("rejected", "cancelled") else "accepted"
    issue = single(check_transition("fulfillment", task(old), task(new), "owner"))
    assert (issue.code, issue.expression) == ("required", ("Task.statusReason",))
    assert check_transition("fulfillment", task(old), task(new, statusReason=REASON), "owner") == []


def test_fulfillment_start_needs_execution_period_start():
    issue = single(check_transition("fulfillment", task("accepted"), task("in-progress"), "owner"))
    assert issue.expression == ("Task.executionPeriod.start",)
    started = task("in-progress", executionPeriod={"start": "2026-06-01"})
    assert check_transition("fulfillment", task("accepted"), started, "owner") == []


def test_fulfillment_completion_needs_end_and_output():
    done = task("completed", executionPeriod={"start": "2026-06-01", "end": "2026-09-01"})
    assert single(
        check_transition("fulfillment", task("in-progress"), done, "owner")
    ).expression == ("Task.output",)
    done["output"] = [output("resulting-activity")]
    assert check_transition("fulfillment", task("in-progress"), done, "owner") == []


def test_wait_on_hold_resumes_to_in_progress():
    assert check_transition("fulfillment", task("on-hold"), task("in-progress"), "owner") == []


def test_recommend_authorization_denied_from_request_or_review_with_reason():
    denied = task("rejected", statusReason={"text": "not covered"})
    assert check_transition("authorization", task("requested"), denied, "owner") == []
    assert check_transition("authorization", task("accepted"), denied, "owner") == []
    assert check_transition("fulfillment", task("accepted"), denied, "owner") != []


def test_recommend_entered_in_error_only_by_requester():
    assert (
        check_transition("authorization", task("completed"), task("entered-in-error"), "requester")
        == []
    )
    issue = single(
        check_transition("authorization", task("completed"), task("entered-in-error"), "owner")
    )
    assert issue.code == "forbidden"


def test_offer_created_ready_with_due_date_and_owner():
    assert check_transition("offer", None, offer_task("ready"), "requester") == []
    issue = single(check_transition("offer", None, {"status": "ready", "owner": {}}, "requester"))
    assert issue.expression == ("Task.restriction.period.end",)
    assert single(check_transition("offer", None, offer_task("requested"), "requester")).code == (
        "business-rule"
    )


def test_choice_offer_completion_records_decision_and_chosen_ltsc():
    discussed = offer_task("in-progress")
    no_decision = offer_task("completed")
    assert single(check_transition("offer", discussed, no_decision, "owner")).expression == (
        "Task.output",
    )
    accepted_only = offer_task("completed", output=[output("offer-decision", "accepted")])
    assert "chosen" in single(check_transition("offer", discussed, accepted_only, "owner")).message
    accepted = offer_task(
        "completed", output=[output("offer-decision", "accepted"), output("chosen-ltsc")]
    )
    assert check_transition("offer", discussed, accepted, "owner") == []
    declined = offer_task("completed", output=[output("offer-decision", "declined")])
    assert check_transition("offer", discussed, declined, "owner") == []


def test_choice_offer_cannot_reopen_after_decision():
    done = offer_task("completed", output=[output("offer-decision", "declined")])
    assert (
        single(check_transition("offer", done, offer_task("in-progress"), "owner")).code
        == "business-rule"
    )


def test_offer_not_made_by_due_date_fails_with_reason():
    assert (
        check_transition(
            "offer", offer_task("ready"), offer_task("failed", statusReason=REASON), "owner"
        )
        == []
    )
    issue = single(
        check_transition(
            "offer", offer_task("ready"), offer_task("cancelled", statusReason=REASON), "owner"
        )
    )
    assert issue.code == "forbidden"  # cancelling (e.g. disenrolled) belongs to the requester


def test_offer_member_app_may_change_only_status_reason_and_output():
    assert (
        check_transition("offer", offer_task("ready"), offer_task("in-progress"), "patient") == []
    )
    moved = offer_task("in-progress", owner={"reference": "PractitionerRole/other"})
    issue = single(check_transition("offer", offer_task("ready"), moved, "patient"))
    assert (issue.code, issue.expression) == ("forbidden", ("Task.owner",))


def test_unchanged_status_is_not_a_transition():
    assert check_transition("fulfillment", task("completed"), task("completed"), "owner") == []


def test_unknown_status_and_kind_are_issues_not_exceptions():
    assert (
        single(check_transition("offer", None, offer_task("finished"), "owner")).code
        == "code-invalid"
    )
    assert single(check_transition("lunch", None, task("ready"), "owner")).code == "not-supported"


def test_task_kind_from_task_code():
    coded = {
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "approve"}]
        }
    }
    assert task_kind(coded) == "authorization"
    assert task_kind({"code": {"coding": [{"code": "ltsc-offer"}]}}) == "offer"
    assert task_kind({}) is None
