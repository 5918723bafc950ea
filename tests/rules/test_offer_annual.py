"""OFFER-ANNUAL: the LTS-C is offered again at each annual comprehensive assessment."""

from tests.rules.given import codes, evaluate, member, offer


def _declined_first_year():
    return member(
        "2026-03-01",
        offers=[offer("OF-1", "OFFER-90", "2026-04-02", "declined", outcome_date="2026-04-10")],
    )


def test_offer_annual_appears_thirty_days_before_the_anniversary():
    record = _declined_first_year()
    assert len(evaluate(record, "2027-01-29")["offers"]) == 1
    facts = evaluate(record, "2027-01-30")
    annual = facts["offers"][1]
    assert codes(annual) == ["OFFER-ANNUAL"]
    assert (annual["due"], annual["status"], annual["business_status"]) == (
        "2027-03-01",
        "ready",
        "due",
    )
    assert annual["offer_key"] == "M1-enrollment-1-year-2"


def test_offer_annual_overdue_after_the_anniversary_without_an_offer():
    annual = evaluate(_declined_first_year(), "2027-03-02")["offers"][1]
    assert annual["business_status"] == "overdue"


def test_offer_annual_due_on_the_recorded_annual_assessment_date():
    record = _declined_first_year()
    record["assessments"] = [{"assessment_id": "AS-2", "date": "2027-02-20", "kind": "annual"}]
    annual = evaluate(record, "2027-02-21")["offers"][1]
    assert annual["due"] == "2027-02-20"
    assert annual["offer_key"] == "M1-enrollment-1-year-2"  # same Task as before it was recorded


def test_offer_annual_each_year_of_enrollment_gets_its_own_offer():
    record = _declined_first_year()
    record["offers"].append(offer("OF-2", "OFFER-ANNUAL", "2027-02-15", "declined"))
    facts = evaluate(record, "2028-03-15")
    annual = [o for o in facts["offers"] if codes(o) == ["OFFER-ANNUAL"]]
    assert [(o["due"], o["status"]) for o in annual] == [
        ("2027-03-01", "completed"),
        ("2028-03-01", "ready"),
    ]


def test_offer_annual_unmade_reoffer_fails_when_the_next_years_opens():
    # Each year's re-offer is its own obligation; a missed year is not owed forever.
    facts = evaluate(_declined_first_year(), "2028-03-15")
    _, missed, current = facts["offers"]
    assert (codes(missed), missed["due"], missed["status"], missed["status_reason"]) == (
        ["OFFER-ANNUAL"],
        "2027-03-01",
        "failed",
        "next-annual-offer-opened",
    )
    assert missed["business_status"] == "overdue"
    assert (codes(current), current["due"], current["status"]) == (
        ["OFFER-ANNUAL"],
        "2028-03-01",
        "ready",
    )
    missed_row = facts["compliance"]["rows"][1]
    assert (missed_row["missed"], missed_row["days_late"]) == (True, 335)  # to 2028-01-30


def test_offer_annual_anniversary_of_feb_29_enrollment_is_feb_28():
    record = member("2028-02-29", offers=[offer("OF-1", "OFFER-90", "2028-03-10", "declined")])
    annual = evaluate(record, "2029-03-01")["offers"][1]
    assert annual["due"] == "2029-02-28"


def test_offer_annual_not_raised_while_member_has_an_ltsc():
    record = member(
        "2026-03-01",
        offers=[offer("OF-1", "OFFER-90", "2026-04-02", "accepted", outcome_date="2026-04-15")],
        ltsc_assignments=[{"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}],
    )
    assert len(evaluate(record, "2027-04-01")["offers"]) == 1


def test_offer_annual_lead_days_is_a_setting():
    facts = evaluate(_declined_first_year(), "2027-02-20", annual_offer_lead_days=7)
    assert len(facts["offers"]) == 1
