"""OFFER-90, OFFER-ANNUAL, AVAIL-*: each trigger is its own obligation with its own due date;
an offer made answers the obligations open at that moment and is never reported late against
one it met in time (docs/rules.md, "Offers per obligation")."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from adapter.rules import evaluate_member
from tests.rules.given import codes, evaluate, member, offer

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "plan-export.json"
SAMPLE_DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def sample_export():
    return json.loads(SAMPLES.read_text())


def _sample(export, member_id):
    record = next(m for m in export["members"] if m["member"]["member_id"] == member_id)
    return evaluate_member(record, export["directory"], SAMPLE_DAY)


def _row(facts, offer_key):
    return next(r for r in facts["compliance"]["rows"] if r["offer_key"] == offer_key)


def test_avail_institution_sample_m100011_urgent_offer_is_on_time(sample_export):
    facts = _sample(sample_export, "M100011")
    row = _row(facts, "M100011-admission-IA-1")
    assert (row["triggers"], row["due"], row["offered_on"]) == (
        ["AVAIL-INSTITUTION"],
        "2026-09-19",
        "2026-09-02",
    )
    assert (row["on_time"], row["days_late"], row["late_triggers"]) == (True, 0, [])
    # The re-offers of 2024 and 2025 were missed in their own years; they are not charged to
    # the urgent offer of 2026.
    assert all(r["days_late"] < 400 for r in facts["compliance"]["rows"])
    assert [r["missed"] for r in facts["compliance"]["rows"]].count(True) == 2


def test_offer_90_sample_m100031_re_enrollment_offer_is_on_time(sample_export):
    facts = _sample(sample_export, "M100031")
    row = _row(facts, "M100031-enrollment-2")
    assert (row["triggers"], row["due"], row["offered_on"], row["on_time"]) == (
        ["OFFER-90"],
        "2026-09-29",
        "2026-08-10",
        True,
    )
    assert row["days_late"] == 0
    # The first enrollment's unmade re-offers ended with it and never reach 2026.
    first_episode = [o for o in facts["offers"] if "enrollment-1-year" in o["offer_key"]]
    assert {o["status"] for o in first_episode} <= {"failed", "cancelled"}
    assert all(o["source_offer_id"] is None for o in first_episode)


def test_offer_90_re_enrollment_gets_its_own_task_with_its_own_due_date():
    record = member("2023-01-01")
    record["enrollments"] = [
        {"plan_id": "P", "start": "2023-01-01", "end": "2023-12-31", "rating_category": "C2"},
        {"plan_id": "P", "start": "2026-07-01", "end": None, "rating_category": "C2"},
    ]
    facts = evaluate(record, "2026-07-02")
    first, second = facts["offers"]
    assert (first["offer_key"], first["status"], first["status_reason"]) == (
        "M1-enrollment-1",
        "cancelled",
        "member-disenrolled",
    )
    assert (second["offer_key"], codes(second), second["due"], second["status"]) == (
        "M1-enrollment-2",
        ["OFFER-90"],
        "2026-09-29",
        "ready",
    )


def test_offer_90_cancelled_task_stays_cancelled_after_re_enrollment_and_a_later_offer():
    record = member("2023-01-01")
    record["enrollments"] = [
        {"plan_id": "P", "start": "2023-01-01", "end": "2023-12-31", "rating_category": "C2"},
        {"plan_id": "P", "start": "2026-07-01", "end": None, "rating_category": "C2"},
    ]
    record["offers"] = [offer("OF-9", "OFFER-90", "2026-07-20", "accepted", chosen="LTSC-001")]
    first, second = evaluate(record, "2026-08-01")["offers"]
    assert (first["status"], first["source_offer_id"]) == ("cancelled", None)
    assert (second["status"], second["source_offer_id"]) == ("completed", "OF-9")


def test_avail_institution_for_a_long_enrolled_member_is_due_before_the_admission():
    record = member("2023-01-01", offers=[offer("OF-1", "OFFER-90", "2023-02-01", "declined")])
    record["institutional_admissions"] = [
        {
            "admission_id": "IA-1",
            "facility_type": "nursing-facility",
            "expected_date": "2026-09-20",
            "identified_on": "2026-09-01",
        }
    ]
    found = next(o for o in evaluate(record, "2026-09-02")["offers"] if "IA-1" in o["offer_key"])
    assert (codes(found), found["due"], found["priority"]) == (
        ["AVAIL-INSTITUTION"],
        "2026-09-19",
        "urgent",
    )


def test_offer_90_every_obligation_has_exactly_one_trigger_and_keys_are_unique(sample_export):
    for record in sample_export["members"]:
        facts = evaluate_member(record, sample_export["directory"], SAMPLE_DAY)
        keys = [o["offer_key"] for o in facts["offers"]]
        assert len(keys) == len(set(keys)), keys
        assert all(len(o["triggers"]) == 1 for o in facts["offers"])


def test_report_days_overdue_counts_from_the_due_date_of_the_open_obligation():
    facts = evaluate(member("2026-03-01"), "2026-06-09")
    (row,) = facts["compliance"]["rows"]
    assert (row["open_overdue"], row["days_overdue"]) == (True, 10)
    assert facts["compliance"]["days_overdue"] == 10
