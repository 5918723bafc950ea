"""rows_from_exports: plan exports through the One Care rules into report rows (REPORT)."""

from __future__ import annotations

from datetime import date

from adapter.config import SAMPLES_DIR
from adapter.records import read_exports
from adapter.reports import rows_from_exports
from adapter.rules import compliance_summary, evaluate_member
from tests.reports.given import plan_export, record

ACCEPTED_OFFER = {
    "offer_id": "OF-1", "trigger": "OFFER-90", "offered_on": "2026-04-02",
    "choices": ["LTSC-0001", "LTSC-0007"], "fewer_choices_reason": None,
    "outcome": "accepted", "outcome_date": "2026-04-15", "chosen_staff_id": "LTSC-0001",
}  # fmt: skip


def test_offer_90_accepted_offer_gives_one_row_per_obligation_with_cbo_types():
    member = record(
        offers=[ACCEPTED_OFFER],
        assessments=[{"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial",
                      "rating_category": "C3", "ltsc_requested": False}],
        ltsc_assignments=[{"staff_id": "LTSC-0001", "start": "2026-04-15", "end": None}],
    )  # fmt: skip
    members, offers = rows_from_exports([plan_export(member)])
    assert members == [
        {"member_id": "M1", "plan_id": "CCA-OC", "rating_category": "C3",
         "enrollment_start": date(2026, 3, 1), "enrollment_end": None},
    ]  # fmt: skip
    # The offer made 04-02 was still open when the C3 assessment of 04-10 arose, so it answers
    # both obligations, each on its own due date (one row per obligation).
    common = {
        "member_id": "M1",
        "plan_id": "CCA-OC",
        "offered_on": date(2026, 4, 2),
        "outcome": "accepted",
        "outcome_date": date(2026, 4, 15),
        "choices": 2,
        "cbo_types": ["ILC", "RLC"],
        "chosen_cbo_type": "ILC",
        "rating_category": "C3",
    }
    assert offers == [
        {**common, "trigger": "OFFER-90", "triggers": ["OFFER-90"],
         "trigger_date": date(2026, 3, 1), "due": date(2026, 5, 30)},
        {**common, "trigger": "AVAIL-ASSESS", "triggers": ["AVAIL-ASSESS"],
         "trigger_date": date(2026, 4, 10), "due": date(2026, 4, 10)},
    ]  # fmt: skip


def test_offer_90_unmade_offer_has_no_choices_counted():
    _, offers = rows_from_exports([plan_export(record())])
    (offer,) = offers
    # Enrolled 03-01 and never offered: due 05-30, and the suggested LTS-Cs are not an offer.
    assert (offer["trigger"], offer["due"], offer["offered_on"]) == (
        "OFFER-90", date(2026, 5, 30), None,
    )  # fmt: skip
    assert (offer["choices"], offer["cbo_types"]) == (0, [])


def test_report_death_ends_the_enrollment_row():
    members, _ = rows_from_exports([plan_export(record(died="2026-06-15"))])
    assert members[0]["enrollment_end"] == date(2026, 6, 15)


def test_offer_90_offer_never_owed_when_member_left_before_it_was_due():
    # Enrolled 03-01 .. 03-31: the OFFER-90 offer would be due 05-30, after the member left.
    left_early = record(enrollments=[
        {"plan_id": "CCA-OC", "start": "2026-03-01", "end": "2026-03-31", "rating_category": "C2"}
    ])  # fmt: skip
    members, offers = rows_from_exports([plan_export(left_early)])
    assert offers == []
    assert members[0]["enrollment_end"] == date(2026, 3, 31)


def test_offer_90_missed_offer_kept_when_member_left_after_it_was_due():
    # Enrolled 03-01 .. 07-31 and never offered: the offer was due 05-30 and missed.
    left_late = record(enrollments=[
        {"plan_id": "CCA-OC", "start": "2026-03-01", "end": "2026-07-31", "rating_category": "C2"}
    ])  # fmt: skip
    _, offers = rows_from_exports([plan_export(left_late)])
    assert [(o["due"], o["offered_on"]) for o in offers] == [(date(2026, 5, 30), None)]


def test_report_rows_evaluated_as_of_the_given_day():
    # As of 04-01 the offer made 04-02 is not known yet.
    _, offers = rows_from_exports([plan_export(record(offers=[ACCEPTED_OFFER]))], date(2026, 4, 1))
    assert [o["offered_on"] for o in offers] == [None]


def test_report_sample_export_rows_agree_with_rules_compliance():
    result = read_exports([SAMPLES_DIR / "plan-export.json"])
    assert result.errors == []
    members, offers = rows_from_exports(result.exports)
    (plan_export_,) = result.exports
    as_of = date(2026, 11, 1)
    rows = [
        row
        for member in plan_export_.members
        for row in evaluate_member(member, plan_export_.directory, as_of)["compliance"]["rows"]
    ]
    summary = compliance_summary(rows)
    assert {m["member_id"] for m in members} == {
        m["member"]["member_id"] for m in plan_export_.members
    }
    assert sum(1 for o in offers if o["offered_on"]) == summary["offers_made"]
    assert sum(1 for o in offers if o["outcome"] == "accepted") == summary["accepted"]
    assert all(o["plan_id"] == "CCA-OC" for o in offers)
    assert all(o["due"] >= o["trigger_date"] for o in offers)
