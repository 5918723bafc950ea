"""to_csv: the report as one CSV row per figure and stratum (columns in docs/reports.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from adapter.reports.figures import SCORE_UNITS, group_spec

COLUMNS = (
    "period_start", "period_end", "plan_id", "group", "figure", "stratifier", "stratum", "value",
    "unit",
)  # fmt: skip


def to_csv(report: dict[str, Any]) -> str:
    """Figures first for the whole population, then per stratum; an absent score is empty."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    scope = {
        "period_start": report["period"]["start"],
        "period_end": report["period"]["end"],
        "plan_id": report.get("plan_id") or "",
    }
    for row in _figure_rows(report["groups"]):
        writer.writerow({**scope, **row})
    for member in report.get("overdue_members") or []:
        where = {
            "group": "overdue-by-member",
            "stratifier": "member",
            "stratum": member["member_id"],
        }
        writer.writerow({**scope, **where, "figure": "offers-overdue",
                         "value": member["offers_overdue"], "unit": "count"})  # fmt: skip
        writer.writerow({**scope, **where, "figure": "days-overdue",
                         "value": member["days_overdue"], "unit": "days"})  # fmt: skip
    return buffer.getvalue()


def _figure_rows(groups: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for code, group in groups.items():
        yield from _measured_rows(code, group, "", "")
        for stratifier, strata in group["strata"].items():
            for value, measured in strata.items():
                yield from _measured_rows(code, measured, stratifier, value)


def _measured_rows(
    code: str, measured: dict[str, Any], stratifier: str, stratum: str
) -> Iterator[dict[str, Any]]:
    where = {"group": code, "stratifier": stratifier, "stratum": stratum}
    for name, count in measured["populations"].items():
        yield {**where, "figure": name, "value": count, "unit": "count"}
    score = group_spec(code).score
    if score:
        value = "" if measured["score"] is None else measured["score"]
        yield {**where, "figure": "score", "value": value, "unit": SCORE_UNITS[score]}
