"""to_measure_report: the report as a FHIR R4 MeasureReport of the ltsc-offer-uptake Measure."""

from __future__ import annotations

from html import escape
from typing import Any

from adapter.canonical import code_system_url, identifier_system
from adapter.reports.figures import SCORE_UNITS, group_spec, population_role
from adapter.reports.vocabulary import (
    MEASURE_POPULATION,
    MEASURE_URL,
    REPORT_CODES,
    ROLE_DISPLAYS,
    display,
)

# Stratum values are codes of these published code systems (docs/architecture.md §3).
STRATUM_SYSTEMS = {
    "rating-category": code_system_url("rating-category"),
    "trigger": code_system_url("offer-trigger"),
    "cbo-type": code_system_url("cbo-type"),
}
UCUM = "http://unitsofmeasure.org"


def to_measure_report(
    report: dict[str, Any],
    period: dict[str, str] | None = None,
    plan_id: str | None = None,
) -> dict[str, Any]:
    """A summary MeasureReport (REPORT); period and plan default to the report's own."""
    period = period or report["period"]
    plan_id = plan_id if plan_id is not None else report.get("plan_id")
    resource: dict[str, Any] = {
        "resourceType": "MeasureReport",
        "id": _report_id(period, plan_id),
        "text": _narrative(report, period, plan_id),
        "status": "complete",
        "type": "summary",
        "measure": MEASURE_URL,
        "period": {"start": period["start"], "end": period["end"]},
        "group": [_group(code, group) for code, group in report["groups"].items()],
    }
    if plan_id:
        resource["reporter"] = {
            "identifier": {"system": identifier_system("plan-id"), "value": plan_id},
            "display": plan_id,
        }
    return resource


def _narrative(report: dict[str, Any], period: dict[str, str], plan_id: str | None) -> dict:
    """A one-paragraph human summary (dom-6); the figures themselves are in the groups."""
    groups = report["groups"]
    uptake = groups["uptake"]["score"]
    rate = "not available" if uptake is None else f"{uptake * 100:.1f}%"
    text = (
        f"LTS-C offers and uptake, {period['start']} to {period['end']}, "
        f"{'plan ' + plan_id if plan_id else 'all plans'}: "
        f"{groups['members-enrolled']['populations']['members-enrolled']} members enrolled, "
        f"{groups['offers-made']['populations']['offers-made']} offers made, uptake {rate}."
    )
    div = f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></div>'
    return {"status": "generated", "div": div}


def _report_id(period: dict[str, str], plan_id: str | None) -> str:
    scope = "".join(c if c.isalnum() or c in ".-" else "-" for c in (plan_id or "all").lower())
    return f"ltsc-offer-uptake-{scope}-{period['start']}-{period['end']}"[:64]


def _group(code: str, group: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"code": _concept(code), **_counts(code, group)}
    stratifiers = [_stratifier(code, name, strata) for name, strata in group["strata"].items()]
    if stratifiers:
        out["stratifier"] = stratifiers
    return out


def _counts(code: str, measured: dict[str, Any]) -> dict[str, Any]:
    """Populations and, when there is one, the score of a group or one of its strata."""
    out: dict[str, Any] = {
        "population": [
            {"code": _population_concept(code, name), "count": count}
            for name, count in measured["populations"].items()
        ]
    }
    if measured["score"] is not None:
        out["measureScore"] = _score(code, measured["score"])
    return out


def _stratifier(code: str, name: str, strata: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": [_concept(name)],
        "stratum": [
            {"value": _stratum_value(name, value), **_counts(code, measured)}
            for value, measured in strata.items()
        ],
    }


def _score(code: str, value: float | int) -> dict[str, Any]:
    if SCORE_UNITS.get(group_spec(code).score or "") == "days":
        return {"value": value, "unit": "d", "system": UCUM, "code": "d"}
    return {"value": value}


def _concept(code: str) -> dict[str, Any]:
    return {
        "coding": [{"system": REPORT_CODES, "code": code, "display": display(code)}],
        "text": display(code),
    }


def _population_concept(group: str, code: str) -> dict[str, Any]:
    concept = _concept(code)
    role = population_role(group, code)
    if role:
        role_coding = {"system": MEASURE_POPULATION, "code": role, "display": ROLE_DISPLAYS[role]}
        concept["coding"].insert(0, role_coding)
    return concept


def _stratum_value(stratifier: str, value: str) -> dict[str, Any]:
    if value == "unknown":
        return {"text": "unknown"}
    return {"coding": [{"system": STRATUM_SYSTEMS[stratifier], "code": value}], "text": value}
