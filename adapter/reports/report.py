"""compute_report: the REPORT figures for a period (and optionally one plan) from plain rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.reports.cohorts import Fact, Inputs, overdue_open
from adapter.reports.figures import GROUPS, GroupSpec, Stratum, ordered_strata, stratum_values
from adapter.reports.rows import MemberRow, OfferRow, for_plan
from adapter.reports.series import days_to_offer_bins, offers_by_month
from adapter.reports.stats import nearest_rank, ratio


def compute_report(
    members: list[MemberRow],
    offers: list[OfferRow],
    period_start: date,
    period_end: date,
    plan_id: str | None = None,
) -> dict[str, Any]:
    """Every figure of docs/reports.md; dates in the result are ISO strings (JSON-ready)."""
    if period_end < period_start:
        raise ValueError(f"period ends ({period_end}) before it starts ({period_start})")
    inputs = Inputs(for_plan(members, plan_id), for_plan(offers, plan_id), period_start, period_end)
    return {
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "plan_id": plan_id,
        "groups": {spec.code: _group(spec, spec.cohort(inputs)) for spec in GROUPS},
        "offers_by_month": offers_by_month(inputs),
        "days_to_offer_bins": days_to_offer_bins(inputs),
        "overdue_members": overdue_members(inputs),
    }


def overdue_members(inputs: Inputs) -> list[dict[str, Any]]:
    """REPORT: per member with offers open past due on the period's last day, how many and by
    how many days the oldest is overdue; most overdue first."""
    by_member: dict[str, dict[str, Any]] = {}
    for offer in overdue_open(inputs):
        days = (inputs.end - offer["due"]).days
        found = by_member.setdefault(
            offer["member_id"],
            {"member_id": offer["member_id"], "plan_id": offer["plan_id"], "offers_overdue": 0,
             "days_overdue": 0},
        )  # fmt: skip
        found["offers_overdue"] += 1
        found["days_overdue"] = max(found["days_overdue"], days)
    return sorted(by_member.values(), key=lambda m: (-m["days_overdue"], m["member_id"]))


def _group(spec: GroupSpec, facts: list[Fact]) -> dict[str, Any]:
    strata = {name: _strata(spec, facts, name) for name in spec.stratifiers}
    return {**_measure(spec, facts, None), "strata": strata}


def _strata(spec: GroupSpec, facts: list[Fact], stratifier: str) -> dict[str, Any]:
    values = {v for fact in facts for v in stratum_values(stratifier, fact)}
    return {
        value: _measure(
            spec,
            [f for f in facts if value in stratum_values(stratifier, f)],
            (stratifier, value),
        )
        for value in ordered_strata(stratifier, values)
    }


def _measure(spec: GroupSpec, facts: list[Fact], stratum: Stratum) -> dict[str, Any]:
    counts = {p.code: sum(1 for f in facts if p.counts(f, stratum)) for p in spec.populations}
    return {"populations": counts, "score": _score(spec, facts, counts)}


def _score(spec: GroupSpec, facts: list[Fact], counts: dict[str, int]) -> float | int | None:
    if spec.score == "ratio":
        roles = {p.role: counts[p.code] for p in spec.populations if p.role}
        return ratio(roles["numerator"], roles["denominator"])
    if spec.score in ("median", "p90"):
        return nearest_rank([f["days"] for f in facts], 50 if spec.score == "median" else 90)
    return None
