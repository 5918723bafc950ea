"""OFFER-90 / OFFER-ANNUAL / AVAIL-*: the one verdict on an offer against its due date."""

from __future__ import annotations

from datetime import date

import pytest

from adapter.rules.verdict import offer_verdict

AS_OF = date(2026, 12, 5)
WAITS = "awaiting decision"


@pytest.mark.parametrize(
    ("due", "offered_on", "status", "label", "overdue", "on_time"),
    [
        ("2026-11-30", "2026-10-28", "ready", f"offered on time (2026-10-28), {WAITS}", False, True),  # noqa: E501
        ("2026-11-30", "2026-11-30", "completed", "offered on time (2026-11-30)", False, True),
        ("2026-11-30", "2026-12-02", "completed", "offered 2 days late (2026-12-02)", False, False),
        ("2026-11-30", "2026-12-01", "ready", f"offered 1 day late (2026-12-01), {WAITS}", False, False),  # noqa: E501
        ("2026-11-30", None, "ready", "not offered, overdue by 5 days", True, None),
        ("2026-12-04", None, "ready", "not offered, overdue by 1 day", True, None),
        ("2026-12-05", None, "ready", "not offered, due today", False, None),
        ("2026-12-20", None, "ready", "not offered yet, due in 15 days", False, None),
        ("2026-11-30", None, "cancelled", "not offered; closed", False, None),
    ],
)  # fmt: skip
def test_offer_90_verdicts(due, offered_on, status, label, overdue, on_time):
    verdict = offer_verdict(due, offered_on, status, AS_OF)
    assert verdict.label() == label
    assert verdict.overdue is overdue
    assert verdict.on_time is on_time


def test_offer_90_an_offer_made_on_time_stays_on_time_years_later():
    verdict = offer_verdict("2026-11-30", "2026-11-29", "in-progress", date(2031, 2, 28))
    assert (verdict.state, verdict.days_late, verdict.overdue) == ("on-time", 0, False)


def test_offer_90_days_overdue_count_from_the_day_after_due():
    days = [offer_verdict("2026-11-30", None, "ready", date(2026, 12, d)).days_late for d in (1, 2)]
    assert days == [1, 2]
