"""REPORT as CSV: one row per figure and stratum, with the documented columns."""

from __future__ import annotations

import csv
import io

from adapter.reports import compute_report, to_csv
from adapter.reports.csv_table import COLUMNS
from tests.reports.dataset import MEMBERS, OFFERS, Q2_END, Q2_START


def rows(report):
    return list(csv.DictReader(io.StringIO(to_csv(report))))


def find(table, group, figure, stratifier="", stratum=""):
    (row,) = [
        r
        for r in table
        if (r["group"], r["figure"], r["stratifier"], r["stratum"])
        == (group, figure, stratifier, stratum)
    ]
    return row


def test_report_csv_header_is_the_documented_columns():
    text = to_csv(compute_report(MEMBERS, OFFERS, Q2_START, Q2_END))
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert COLUMNS == (
        "period_start", "period_end", "plan_id", "group", "figure", "stratifier", "stratum",
        "value", "unit",
    )  # fmt: skip


def test_offer_90_csv_count_and_ratio_rows():
    table = rows(compute_report(MEMBERS, OFFERS, Q2_START, Q2_END, plan_id="P1"))
    due = find(table, "offer-90", "offer-90-due")
    assert (due["value"], due["unit"], due["plan_id"]) == ("3", "count", "P1")
    assert (due["period_start"], due["period_end"]) == ("2026-04-01", "2026-06-30")
    assert find(table, "offer-90", "score")["value"] == "0.3333"
    assert find(table, "offer-90", "score")["unit"] == "ratio"


def test_choice_csv_strata_rows_and_absent_rate_is_empty():
    table = rows(compute_report(MEMBERS, OFFERS, Q2_START, Q2_END))
    # tests/reports/dataset.py: ILC offered in O1, O5, O6; two decided, one chose ILC.
    assert find(table, "uptake", "accepted", "cbo-type", "ILC")["value"] == "1"
    assert find(table, "uptake", "score", "cbo-type", "ILC")["value"] == "0.5"
    assert find(table, "uptake", "score", "cbo-type", "other")["value"] == ""


def test_report_csv_days_rows_use_days_unit():
    table = rows(compute_report(MEMBERS, OFFERS, Q2_START, Q2_END))
    median = find(table, "days-to-offer-median", "score")
    assert (median["value"], median["unit"]) == ("61", "days")


def test_report_csv_one_row_per_population_score_and_stratum():
    report = compute_report(MEMBERS, OFFERS, Q2_START, Q2_END)
    expected = 0
    for code, group in report["groups"].items():
        per_measure = len(group["populations"]) + (code in SCORED)
        strata = sum(len(s) for s in group["strata"].values())
        expected += per_measure * (1 + strata)
    # REPORT: two rows per member with offers open past due (offers, days overdue).
    expected += 2 * len(report["overdue_members"])
    assert len(rows(report)) == expected


def test_report_csv_days_overdue_per_member():
    report = compute_report(MEMBERS, OFFERS, Q2_START, Q2_END)
    assert report["overdue_members"]
    per_member = {
        (r["stratum"], r["figure"]): r["value"]
        for r in rows(report)
        if r["group"] == "overdue-by-member"
    }
    for member in report["overdue_members"]:
        days = str(member["days_overdue"])
        assert str(per_member[(member["member_id"], "days-overdue")]) == days
        assert member["days_overdue"] > 0


SCORED = {"offer-90", "assess-offers", "uptake", "days-to-offer-median", "days-to-offer-p90",
          "choice-two"}  # fmt: skip
