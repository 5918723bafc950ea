"""AVAIL-ASSESS, AVAIL-LTSS, AVAIL-AGENCY, AVAIL-INSTITUTION, AVAIL-REQUEST: when an LTS-C must
be made available, and by when."""

import pytest

from tests.rules.given import codes, evaluate, member, offer


def _after_first_offer(**lists):
    """Enrolled 2026-03-01; the OFFER-90 offer was declined on 2026-03-20."""
    offers = [offer("OF-1", "OFFER-90", "2026-03-10", "declined", outcome_date="2026-03-20")]
    return member("2026-03-01", offers=offers, **lists)


def _new_offer(facts):
    assert len(facts["offers"]) == 2, facts["offers"]
    return facts["offers"][1]


@pytest.mark.parametrize("rating", ["C3", "F1"])
def test_avail_assess_rating_c3_or_f1_due_by_the_assessment_date(rating):
    record = _after_first_offer(
        assessments=[{"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial"}]
    )
    record["enrollments"][0]["rating_category"] = rating
    found = _new_offer(evaluate(record, "2026-04-10"))
    assert (codes(found), found["due"]) == (["AVAIL-ASSESS"], "2026-04-10")
    assert found["offer_key"] == "M1-assessment-AS-1"


def test_avail_assess_member_request_at_assessment():
    assessment = {
        "assessment_id": "AS-1",
        "date": "2026-04-10",
        "kind": "initial",
        "rating_category": "C2",
        "ltsc_requested": True,
    }
    found = _new_offer(evaluate(_after_first_offer(assessments=[assessment]), "2026-04-11"))
    assert codes(found) == ["AVAIL-ASSESS"]


def test_avail_assess_not_for_c2_member_who_did_not_ask():
    assessment = {"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial"}
    assert len(evaluate(_after_first_offer(assessments=[assessment]), "2026-04-11")["offers"]) == 1


def test_avail_assess_reevaluated_when_rating_category_changes():
    # Given a C2 member's assessment, When the rating is corrected to C3, Then AVAIL-ASSESS fires.
    record = _after_first_offer(
        assessments=[{"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial"}]
    )
    assert len(evaluate(record, "2026-04-11")["offers"]) == 1
    record["enrollments"][0]["rating_category"] = "C3"
    assert codes(_new_offer(evaluate(record, "2026-04-11"))) == ["AVAIL-ASSESS"]


def test_avail_assess_is_its_own_obligation_beside_the_open_offer_90():
    record = member(
        "2026-03-01",
        rating="C3",
        assessments=[{"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial"}],
    )
    enrollment, assessment = evaluate(record, "2026-04-12")["offers"]
    assert (codes(enrollment), enrollment["due"], enrollment["business_status"]) == (
        ["OFFER-90"],
        "2026-05-30",
        "due",
    )
    assert (codes(assessment), assessment["due"], assessment["business_status"]) == (
        ["AVAIL-ASSESS"],
        "2026-04-10",
        "overdue",
    )
    assert assessment["offer_key"] == "M1-assessment-AS-1"


def test_avail_assess_one_offer_made_answers_both_open_obligations():
    record = member(
        "2026-03-01",
        rating="C3",
        assessments=[{"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial"}],
        offers=[offer("OF-1", "AVAIL-ASSESS", "2026-04-10")],
    )
    found = evaluate(record, "2026-04-12")["offers"]
    assert [(codes(f), f["source_offer_id"], f["status"]) for f in found] == [
        (["OFFER-90"], "OF-1", "in-progress"),
        (["AVAIL-ASSESS"], "OF-1", "in-progress"),
    ]


@pytest.mark.parametrize("category", ["ltss", "behavioral-health"])
def test_avail_ltss_need_seen_by_member_or_team(category):
    need = {
        "need_id": "N-1",
        "identified_on": "2026-05-02",
        "identified_by": "care-team",
        "category": category,
        "description": "help with meals",
    }
    found = _new_offer(evaluate(_after_first_offer(ltss_needs=[need]), "2026-05-03"))
    assert (codes(found), found["due"]) == (["AVAIL-LTSS"], "2026-05-16")


@pytest.mark.parametrize(
    ("agency", "service"),
    [
        ("DMH", "targeted-case-management"),
        ("DDS", "targeted-case-management"),
        ("DMH", "rehabilitation"),
        ("other-state-agency", "affiliation"),
    ],
)
def test_avail_agency_qualifying_involvement(agency, service):
    item = {
        "agency": agency,
        "service": service,
        "start": "2025-06-01",
        "identified_on": "2026-04-05",
    }
    found = _new_offer(evaluate(_after_first_offer(agency_involvement=[item]), "2026-04-06"))
    assert (codes(found), found["due"]) == (["AVAIL-AGENCY"], "2026-04-19")


def test_avail_agency_dds_rehabilitation_does_not_qualify():
    item = {
        "agency": "DDS",
        "service": "rehabilitation",
        "start": "2025-06-01",
        "identified_on": "2026-04-05",
    }
    assert len(evaluate(_after_first_offer(agency_involvement=[item]), "2026-04-06")["offers"]) == 1


def test_avail_institution_urgent_and_due_before_the_admission():
    admission = {
        "admission_id": "IA-1",
        "facility_type": "nursing-facility",
        "expected_date": "2026-09-20",
        "identified_on": "2026-09-01",
    }
    found = _new_offer(
        evaluate(_after_first_offer(institutional_admissions=[admission]), "2026-09-02")
    )
    assert codes(found) == ["AVAIL-INSTITUTION"]
    assert (found["due"], found["priority"]) == ("2026-09-19", "urgent")


def test_avail_institution_identified_late_is_due_at_once():
    admission = {
        "admission_id": "IA-1",
        "facility_type": "psychiatric-hospital",
        "expected_date": "2026-09-01",
        "identified_on": "2026-09-03",
    }
    found = _new_offer(
        evaluate(_after_first_offer(institutional_admissions=[admission]), "2026-09-03")
    )
    assert found["due"] == "2026-09-03"


def test_avail_request_due_within_configured_days():
    request = {"request_id": "RQ-1", "date": "2026-07-01", "channel": "phone"}
    record = _after_first_offer(ltsc_requests=[request])
    assert _new_offer(evaluate(record, "2026-07-02"))["due"] == "2026-07-15"
    assert _new_offer(evaluate(record, "2026-07-02", request_offer_days=5))["due"] == "2026-07-06"


def test_avail_request_two_triggers_on_the_same_day_are_two_obligations_one_reason_each():
    request = {"request_id": "RQ-1", "date": "2026-07-01", "channel": "phone"}
    need = {"need_id": "N-1", "identified_on": "2026-07-01", "category": "ltss"}
    facts = evaluate(_after_first_offer(ltsc_requests=[request], ltss_needs=[need]), "2026-07-02")
    _, need_offer, request_offer = facts["offers"]
    assert (codes(need_offer), need_offer["offer_key"]) == (["AVAIL-LTSS"], "M1-need-N-1")
    assert (codes(request_offer), request_offer["offer_key"]) == (
        ["AVAIL-REQUEST"],
        "M1-request-RQ-1",
    )


def test_avail_institution_is_urgent_with_its_own_due_date_beside_an_open_request():
    request = {"request_id": "RQ-1", "date": "2026-07-01", "channel": "phone"}
    admission = {
        "admission_id": "IA-1",
        "facility_type": "nursing-facility",
        "expected_date": "2026-07-06",
        "identified_on": "2026-07-03",
    }
    record = _after_first_offer(ltsc_requests=[request], institutional_admissions=[admission])
    _, asked, admitted = evaluate(record, "2026-07-03")["offers"]
    assert (asked["due"], asked["priority"], asked["offer_key"]) == (
        "2026-07-15",
        "routine",
        "M1-request-RQ-1",
    )
    assert (admitted["due"], admitted["priority"], admitted["offer_key"]) == (
        "2026-07-05",
        "urgent",
        "M1-admission-IA-1",
    )


def test_avail_request_while_offer_is_out_is_answered_by_that_offer():
    # Given an offer made and awaiting the member's answer, When the member asks for an LTS-C
    offers = [offer("OF-1", "OFFER-90", "2026-03-10")]
    request = {"request_id": "RQ-1", "date": "2026-03-15", "channel": "phone"}
    found = evaluate(member("2026-03-01", offers=offers, ltsc_requests=[request]), "2026-03-16")[
        "offers"
    ]
    # Then the offer out answers both obligations, on time, and no unmade offer appears
    assert [(codes(f), f["source_offer_id"], f["business_status"]) for f in found] == [
        (["OFFER-90"], "OF-1", "offered"),
        (["AVAIL-REQUEST"], "OF-1", "offered"),
    ]


def test_avail_triggers_after_death_are_ignored():
    record = _after_first_offer(ltsc_requests=[{"request_id": "RQ-1", "date": "2026-07-01"}])
    record["member"]["date_of_death"] = "2026-06-01"
    assert len(evaluate(record, "2026-07-02")["offers"]) == 1
