"""OFFER-90: every enrollee is offered an LTS-C within 90 days of enrollment."""

from tests.rules.given import codes, evaluate, member, offer, only_offer


def test_offer_90_due_ninety_days_after_enrollment():
    # Given a member enrolled on 2026-03-01, When evaluated a month later
    facts = evaluate(member("2026-03-01"), "2026-04-01")
    # Then one ready offer is due on day 90, owned by the member's CC
    found = only_offer(facts)
    assert codes(found) == ["OFFER-90"]
    assert found["due"] == "2026-05-30"
    assert (found["status"], found["business_status"]) == ("ready", "due")
    assert found["owner_staff_id"] == "CC-001"
    assert found["authored_on"] == "2026-03-01"


def test_offer_90_still_due_on_day_ninety_and_overdue_the_day_after():
    record = member("2026-03-01")
    assert only_offer(evaluate(record, "2026-05-30"))["business_status"] == "due"
    late = evaluate(record, "2026-05-31")
    assert only_offer(late)["business_status"] == "overdue"
    assert late["compliance"]["overdue_open"] == 1
    assert late["compliance"]["rows"][0]["days_late"] == 1


def test_offer_90_enrollment_on_feb_29_counts_ninety_calendar_days():
    found = only_offer(evaluate(member("2028-02-29"), "2028-03-01"))
    assert found["due"] == "2028-05-29"


def test_offer_90_not_raised_before_enrollment_starts():
    assert evaluate(member("2026-03-01"), "2026-02-27")["offers"] == []


def test_offer_90_re_enrollment_after_gap_opens_a_new_offer():
    # Given an enrollment that ended with an accepted offer, then a re-enrollment after a gap
    record = member("2025-01-01")
    record["enrollments"] = [
        {"plan_id": "P", "start": "2025-01-01", "end": "2025-06-30", "rating_category": "C2"},
        {"plan_id": "P", "start": "2026-02-01", "end": None, "rating_category": "C2"},
    ]
    record["offers"] = [
        offer("OF-1", "OFFER-90", "2025-02-01", "declined", outcome_date="2025-02-10")
    ]
    # When evaluated in the second enrollment
    facts = evaluate(record, "2026-02-15")
    # Then the second enrollment has its own open OFFER-90, due 90 days after re-enrollment
    first, second = facts["offers"]
    assert first["source_offer_id"] == "OF-1"
    assert (codes(second), second["due"], second["status"]) == (["OFFER-90"], "2026-05-02", "ready")
    assert second["offer_key"] == "M1-enrollment-2"


def test_offer_90_contiguous_enrollment_rows_are_one_enrollment():
    # A rating change recorded as a new row the next day is not a re-enrollment.
    record = member("2026-03-01")
    record["enrollments"] = [
        {"plan_id": "P", "start": "2026-03-01", "end": "2026-05-31", "rating_category": "C2"},
        {"plan_id": "P", "start": "2026-06-01", "end": None, "rating_category": "C3"},
    ]
    assert codes(only_offer(evaluate(record, "2026-06-15"))) == ["OFFER-90"]


def test_offer_90_corrected_enrollment_date_moves_due_date_not_key():
    before = only_offer(evaluate(member("2026-03-01"), "2026-04-01"))
    after = only_offer(evaluate(member("2026-03-15"), "2026-04-01"))
    assert before["offer_key"] == after["offer_key"] == "M1-enrollment-1"
    assert (before["due"], after["due"]) == ("2026-05-30", "2026-06-13")


def test_offer_90_offer_made_in_time_completes_the_task():
    record = member(
        "2026-03-01",
        offers=[
            offer(
                "OF-1",
                "OFFER-90",
                "2026-04-02",
                "accepted",
                outcome_date="2026-04-15",
                chosen="LTSC-001",
            )
        ],
        ltsc_assignments=[{"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}],
    )
    found = only_offer(evaluate(record, "2026-11-01"))
    assert (found["status"], found["business_status"]) == ("completed", "accepted")
    assert found["offer_key"] == "M1-enrollment-1"
    assert (found["chosen_staff_id"], found["source_offer_id"]) == ("LTSC-001", "OF-1")
    row = evaluate(record, "2026-11-01")["compliance"]["rows"][0]
    assert (row["on_time"], row["days_late"]) == (True, 0)


def test_offer_90_late_offer_reports_days_late():
    record = member("2026-03-01", offers=[offer("OF-1", "OFFER-90", "2026-06-09", "declined")])
    row = evaluate(record, "2026-11-01")["compliance"]["rows"][0]
    assert (row["on_time"], row["days_late"], row["open_overdue"]) == (False, 10, False)


def test_offer_90_open_offer_cancelled_when_member_disenrolls():
    record = member("2026-03-01")
    record["enrollments"][0]["end"] = "2026-04-30"
    found = only_offer(evaluate(record, "2026-06-15"))
    assert (found["status"], found["status_reason"]) == ("cancelled", "member-disenrolled")
    assert found["business_status"] == "due"
    assert evaluate(record, "2026-06-15")["compliance"]["overdue_open"] == 0
