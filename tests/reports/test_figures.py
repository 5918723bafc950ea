"""REPORT figures against values derived by hand from tests/reports/dataset.py (Q2 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from adapter.reports import compute_report
from tests.reports.dataset import MEMBERS, OFFERS, Q2_END, Q2_START


@pytest.fixture(scope="module")
def q2():
    return compute_report(MEMBERS, OFFERS, Q2_START, Q2_END)


def pops(report, group):
    return report["groups"][group]["populations"]


def score(report, group):
    return report["groups"][group]["score"]


def test_report_members_enrolled_on_any_day_of_the_period(q2):
    # A, B, D, E, G are open-ended; C ends 05-31 (inside Q2); F ended in 2025.
    assert pops(q2, "members-enrolled") == {"members-enrolled": 6}
    strata = q2["groups"]["members-enrolled"]["strata"]["rating-category"]
    assert {k: v["populations"]["members-enrolled"] for k, v in strata.items()} == {
        "F1": 1, "C3": 3, "C2": 1, "C1": 1,
    }  # fmt: skip


def test_report_offers_due_by_due_date_in_the_period(q2):
    # Due in Q2: O1 04-15, O2 06-13, O4 04-10, O6 05-30, O8 05-20; O3 (07-10), O5 (08-30) and
    # O7 (01-30) fall outside.
    assert pops(q2, "offers-due") == {"offers-due": 5}
    by_trigger = q2["groups"]["offers-due"]["strata"]["trigger"]
    assert {k: v["populations"]["offers-due"] for k, v in by_trigger.items()} == {
        "OFFER-90": 4, "AVAIL-ASSESS": 1,
    }  # fmt: skip


def test_report_offers_made_by_offer_date_and_cbo_type(q2):
    # Made in Q2: O1 04-20, O2 06-20, O5 06-10, O6 05-01 (O7 was made in January).
    assert pops(q2, "offers-made") == {"offers-made": 4}
    # CBO types offered: ILC in O1, O5, O6; RLC in O1, O5; ASAP in O2, O6; other in O5.
    by_type = q2["groups"]["offers-made"]["strata"]["cbo-type"]
    assert {k: v["populations"]["offers-made"] for k, v in by_type.items()} == {
        "ILC": 3, "RLC": 2, "ASAP": 2, "other": 1,
    }  # fmt: skip


def test_offer_90_made_within_ninety_days_count_and_percent(q2):
    # 90th days: O1 02-01+90 = 05-02, O2 03-15+90 = 06-13, O4 01-10+90 = 04-10,
    # O6 03-01+90 = 05-30 (all in Q2); O5 (08-30) and O7 (2026-01-30) are not.
    # On time: O1 (04-20 <= 05-02), O6 (05-01 <= 05-30); O2 came 06-20, O4 never.
    assert pops(q2, "offer-90") == {"offer-90-due": 4, "offer-90-on-time": 2}
    assert score(q2, "offer-90") == 0.5


def test_avail_assess_offers_at_c3_f1_assessments(q2):
    # AVAIL-ASSESS offers of C3/F1 members due in Q2: O1 (due 04-15), O8 (due 05-20).
    # O1 was made 04-20, after its assessment; O8 was never made: 0 of 2, a real zero.
    assert pops(q2, "assess-offers") == {"assess-due": 2, "assess-on-time": 0}
    assert score(q2, "assess-offers") == 0.0


def test_choice_outcomes_and_uptake_rate(q2):
    # Offers made in Q2: O1 accepted, O2 declined, O5 pending, O6 accepted.
    assert pops(q2, "uptake") == {
        "offers-decided": 3, "accepted": 2, "declined": 1, "no-response": 0, "pending": 1,
    }  # fmt: skip
    assert score(q2, "uptake") == round(2 / 3, 4)


def test_choice_uptake_by_cbo_type_counts_acceptances_of_that_type(q2):
    strata = q2["groups"]["uptake"]["strata"]["cbo-type"]
    # ILC offered in O1 (accepted, chose ILC), O5 (pending), O6 (accepted, chose ASAP): 1 of 2.
    assert strata["ILC"]["populations"]["offers-decided"] == 2
    assert strata["ILC"]["populations"]["accepted"] == 1
    assert strata["ILC"]["score"] == 0.5
    # RLC offered in O1 (chose ILC) and O5 (pending): decided 1, none chose RLC.
    assert strata["RLC"]["score"] == 0.0
    # ASAP offered in O2 (declined) and O6 (chose ASAP): 1 of 2.
    assert strata["ASAP"]["score"] == 0.5
    # "other" only in O5, still pending: no outcome, so no rate rather than a division by zero.
    assert strata["other"]["populations"]["offers-decided"] == 0
    assert strata["other"]["score"] is None


def test_report_days_from_enrollment_to_first_offer_nearest_rank(q2):
    # First offers made in Q2: D 9 days (06-01 -> 06-10), E 61 (03-01 -> 05-01),
    # A 78 (02-01 -> 04-20), B 97 (03-15 -> 06-20). G's first offer was in January.
    # Nearest rank over [9, 61, 78, 97]: median = rank ceil(2.0) = 2 -> 61;
    # p90 = rank ceil(3.6) = 4 -> 97.
    assert pops(q2, "days-to-offer-median") == {"members-first-offer": 4}
    assert score(q2, "days-to-offer-median") == 61
    assert score(q2, "days-to-offer-p90") == 97
    bins = {b["label"]: b["members"] for b in q2["days_to_offer_bins"]}
    assert bins == {
        "0–30 days": 1, "31–60 days": 0, "61–90 days": 2, "91–180 days": 1, "over 180 days": 0,
    }  # fmt: skip


def test_report_overdue_open_offers_at_period_end(q2):
    # Past due on 06-30 and not made by then: O4 (C left 05-31, so not counted) and O8 (G still
    # enrolled). O3 is due 07-10, not yet overdue.
    assert pops(q2, "overdue-open") == {"overdue-open": 1}
    assert list(q2["groups"]["overdue-open"]["strata"]["trigger"]) == ["AVAIL-ASSESS"]


def test_choice_two_members_offered_at_least_two_ltscs(q2):
    # Members offered in Q2: A (2 choices), B (1), D (3), E (2): 3 of 4.
    assert pops(q2, "choice-two") == {"members-offered": 4, "members-two-choices": 3}
    assert score(q2, "choice-two") == 0.75


def test_report_offers_by_month(q2):
    # April: due O1, O4; made O1 (accepted). May: due O6, O8; made O6 (accepted).
    # June: due O2; made O2 (declined), O5 (pending).
    assert q2["offers_by_month"] == [
        {"month": "2026-04", "due": 2, "made": 1, "accepted": 1},
        {"month": "2026-05", "due": 2, "made": 1, "accepted": 1},
        {"month": "2026-06", "due": 1, "made": 2, "accepted": 0},
    ]


def test_report_plan_filter_keeps_only_that_plans_rows():
    p1 = compute_report(MEMBERS, OFFERS, Q2_START, Q2_END, plan_id="P1")
    # Without E (plan P2): A, B, C, D, G enrolled; O1, O2, O5 made; O1 accepted, O2 declined.
    assert p1["plan_id"] == "P1"
    assert pops(p1, "members-enrolled") == {"members-enrolled": 5}
    assert pops(p1, "uptake")["offers-decided"] == 2
    assert score(p1, "uptake") == 0.5
    # OFFER-90 windows O1, O2, O4; only O1 on time.
    assert score(p1, "offer-90") == round(1 / 3, 4)
    assert score(p1, "choice-two") == round(2 / 3, 4)


def test_report_period_without_offers_has_no_rates_not_zero_division():
    report = compute_report(MEMBERS, OFFERS, date(2026, 7, 15), date(2026, 7, 31))
    assert pops(report, "offers-made") == {"offers-made": 0}
    for group in ("offer-90", "assess-offers", "uptake", "choice-two"):
        assert score(report, group) is None, group
    assert score(report, "days-to-offer-median") is None
    # Still overdue at 07-31: O3 (due 07-10) and O8 (due 05-20), both members enrolled.
    assert pops(report, "overdue-open") == {"overdue-open": 2}


def test_report_empty_input_gives_zero_counts():
    report = compute_report([], [], Q2_START, Q2_END)
    assert all(
        count == 0 for group in report["groups"].values() for count in group["populations"].values()
    )
    assert all(
        group["strata"] == {n: {} for n in group["strata"]} for group in report["groups"].values()
    )


def test_report_refuses_a_period_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        compute_report(MEMBERS, OFFERS, Q2_END, Q2_START)


def test_report_is_json_ready(q2):
    import json

    assert json.loads(json.dumps(q2))["period"] == {"start": "2026-04-01", "end": "2026-06-30"}
