"""RECOMMEND, DENIED-ALT, VENDOR-FILL and WAIT: the service loop between LTS-C, CC and plan."""

from tests.rules.given import evaluate, member


def _recommendation(**changes):
    rec = {
        "recommendation_id": "SR-1",
        "service_type": "personal-care",
        "recommended_on": "2026-05-10",
        "recommended_by": "LTSC-001",
        "goal_ids": [],
        "authorization": {"decision": "pending", "decided_on": None, "reason": None},
        "vendor_id": None,
        "expected_start": None,
        "wait_list": None,
        "fulfillment_status": "pending",
        "alternative_for": None,
    }
    return rec | changes


def _member(*recommendations, assignments=None):
    assignments = assignments or [{"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}]
    return member(service_recommendations=list(recommendations), ltsc_assignments=assignments)


def _tasks(facts, kind):
    return [t for t in facts["service_tasks"] if t["kind"] == kind]


def _topics(facts):
    return [n["topic"] for n in facts["notifications"]]


def test_recommend_pending_authorization_is_requested_of_the_plan():
    (task,) = evaluate(_member(_recommendation()), "2026-05-11")["service_tasks"]
    assert (task["kind"], task["status"], task["business_status"]) == (
        "authorization",
        "requested",
        "pending-authorization",
    )
    assert (task["owner"], task["requester_staff_id"]) == ({"kind": "plan"}, "LTSC-001")
    assert (task["task_key"], task["authored_on"]) == ("M1-SR-1-authorization", "2026-05-10")


def test_recommend_approval_completes_authorization_and_opens_fulfillment():
    approved = {"decision": "approved", "decided_on": "2026-05-20", "reason": None}
    facts = evaluate(_member(_recommendation(authorization=approved)), "2026-05-21")
    (auth,) = _tasks(facts, "authorization")
    (fill,) = _tasks(facts, "fulfillment")
    assert (auth["status"], auth["business_status"]) == ("completed", "authorized")
    assert (fill["status"], fill["requester_staff_id"], fill["authored_on"]) == (
        "requested",
        "CC-001",
        "2026-05-20",
    )


def test_denied_alt_denial_has_reason_notifies_ltsc_and_opens_alternative_search():
    denied = {"decision": "denied", "decided_on": "2026-05-20", "reason": "not medically necessary"}
    facts = evaluate(_member(_recommendation(authorization=denied)), "2026-05-21")
    (auth,) = _tasks(facts, "authorization")
    assert (auth["status"], auth["status_reason"]) == ("rejected", "not medically necessary")
    (search,) = _tasks(facts, "alternative-search")
    assert (search["status"], search["owner"]) == (
        "requested",
        {"kind": "care-coordinator", "staff_id": "CC-001"},
    )
    assert search["ltsc_staff_id"] == "LTSC-001"
    (note,) = facts["notifications"]
    assert (note["topic"], note["sender_staff_id"], note["recipient_staff_ids"]) == (
        "service-denied",
        "CC-001",
        ["LTSC-001"],
    )
    assert "not medically necessary" in note["text"]


def test_denied_alt_search_completes_when_an_alternative_is_recommended():
    denied = {"decision": "denied", "decided_on": "2026-05-20", "reason": "not covered"}
    alternative = _recommendation(
        recommendation_id="SR-2", recommended_on="2026-06-01", alternative_for="SR-1"
    )
    facts = evaluate(_member(_recommendation(authorization=denied), alternative), "2026-06-02")
    (search,) = _tasks(facts, "alternative-search")
    assert search["status"] == "completed"


def test_vendor_fill_vendor_owns_fulfillment_and_cc_learns_the_start_date():
    approved = {"decision": "approved", "decided_on": "2026-05-20", "reason": None}
    rec = _recommendation(
        authorization=approved,
        vendor_id="V-1",
        expected_start="2026-06-01",
        fulfillment_status="vendor-identified",
    )
    facts = evaluate(_member(rec), "2026-05-21")
    (fill,) = _tasks(facts, "fulfillment")
    assert (fill["status"], fill["business_status"]) == ("accepted", "vendor-identified")
    assert (fill["owner"], fill["expected_start"]) == (
        {"kind": "vendor", "vendor_id": "V-1"},
        "2026-06-01",
    )
    (note,) = facts["notifications"]
    assert (note["topic"], note["recipient_staff_ids"], note["vendor_id"]) == (
        "vendor-fill",
        ["CC-001"],
        "V-1",
    )
    assert "2026-06-01" in note["text"]


def _wait_listed(**changes):
    approved = {"decision": "approved", "decided_on": "2026-05-20", "reason": None}
    wait = {"since": "2026-05-25", "reason": "staffing shortage"}
    return _recommendation(
        **(
            {"authorization": approved, "wait_list": wait, "fulfillment_status": "wait-listed"}
            | changes
        )
    )


def test_wait_wait_listed_service_notifies_cc_and_opens_interim_alternative():
    facts = evaluate(_member(_wait_listed()), "2026-05-26")
    (fill,) = _tasks(facts, "fulfillment")
    assert (fill["status"], fill["status_reason"]) == ("on-hold", "staffing shortage")
    (interim,) = _tasks(facts, "interim-alternative")
    assert (interim["status"], interim["authored_on"], interim["ltsc_staff_id"]) == (
        "requested",
        "2026-05-25",
        "LTSC-001",
    )
    assert "wait-list" in _topics(facts)


def test_wait_interim_alternative_closes_once_service_starts():
    facts = evaluate(_member(_wait_listed(fulfillment_status="in-service")), "2026-07-01")
    (interim,) = _tasks(facts, "interim-alternative")
    assert (interim["status"], interim["business_status"]) == ("completed", "in-service")


def test_wait_ltsc_change_while_wait_listed_hands_the_interim_search_to_the_new_ltsc():
    # Given a wait-listed service and an LTS-C change on 2026-06-01
    assignments = [
        {
            "staff_id": "LTSC-001",
            "start": "2026-04-15",
            "end": "2026-05-31",
            "end_reason": "member-choice",
        },
        {"staff_id": "LTSC-002", "start": "2026-06-01", "end": None},
    ]
    facts = evaluate(_member(_wait_listed(), assignments=assignments), "2026-06-05")
    # Then the open interim-alternative task works with the new LTS-C
    (interim,) = _tasks(facts, "interim-alternative")
    assert (interim["status"], interim["ltsc_staff_id"]) == ("requested", "LTSC-002")
    # And the CC was told about both the wait list and the change, nothing lost
    assert _topics(facts) == ["wait-list", "ltsc-change"]
    (fill,) = _tasks(facts, "fulfillment")
    assert fill["status"] == "on-hold"
