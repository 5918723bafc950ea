"""REPORT: offer compliance rows and summaries (which offers were due, made, on time)."""

from datetime import date

from adapter.rules import compliance_rows, compliance_summary
from tests.rules.given import evaluate, member, offer


def test_report_rows_show_due_made_and_lateness_per_offer():
    declined = offer("OF-1", "OFFER-90", "2026-06-04", "declined", outcome_date="2026-06-05")
    record = member(offers=[declined])
    record["ltsc_requests"] = [{"request_id": "RQ-1", "date": "2026-07-01"}]
    facts = evaluate(record, "2026-08-01")
    late, open_ = facts["compliance"]["rows"]
    assert (late["triggers"], late["due"], late["offered_on"]) == (
        ["OFFER-90"],
        "2026-05-30",
        "2026-06-04",
    )
    assert (late["on_time"], late["days_late"], late["outcome"]) == (False, 5, "declined")
    assert (open_["triggers"], open_["open_overdue"], open_["days_late"]) == (
        ["AVAIL-REQUEST"],
        True,
        17,
    )
    summary = {k: v for k, v in facts["compliance"].items() if k not in ("rows", "days_overdue")}
    assert summary == {
        "members": 1,
        "offers_due": 2,
        "offers_made": 1,
        "offers_on_time": 0,
        "offers_late": 1,
        "overdue_open": 1,
        "missed": 0,
        "accepted": 0,
        "declined": 1,
        "no_response": 0,
    }


def test_avail_assess_offer_after_the_assessment_is_late_for_that_trigger_only():
    record = member(
        "2026-03-01",
        rating="C3",
        assessments=[{"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial"}],
        offers=[offer("OF-1", "OFFER-90", "2026-04-20", "declined")],
    )
    enrollment, assessment = evaluate(record, "2026-06-01")["compliance"]["rows"]
    assert (enrollment["triggers"], enrollment["late_triggers"]) == (["OFFER-90"], [])
    assert (enrollment["due"], enrollment["on_time"], enrollment["days_late"]) == (
        "2026-05-30",
        True,
        0,
    )
    assert (assessment["triggers"], assessment["late_triggers"]) == (
        ["AVAIL-ASSESS"],
        ["AVAIL-ASSESS"],
    )
    assert (assessment["due"], assessment["on_time"], assessment["days_late"]) == (
        "2026-04-10",
        False,
        10,
    )


def test_report_offer_not_yet_due_is_not_counted_as_due():
    facts = evaluate(member(), "2026-04-01")
    assert (facts["compliance"]["offers_due"], facts["compliance"]["overdue_open"]) == (0, 0)
    assert facts["compliance"]["rows"][0]["on_time"] is None


def test_report_summary_across_members():
    on_time = offer("OF-1", "OFFER-90", "2026-04-01", "accepted", outcome_date="2026-04-02")
    one = evaluate(member(offers=[on_time]), "2026-07-01")["offers"]
    other = evaluate(member(), "2026-07-01")["offers"]
    as_of = date(2026, 7, 1)
    rows = compliance_rows("M1", one, as_of) + compliance_rows("M2", other, as_of)
    summary = compliance_summary(rows)
    assert (summary["members"], summary["offers_due"], summary["offers_on_time"]) == (2, 2, 1)
    assert (summary["overdue_open"], summary["accepted"]) == (1, 1)
