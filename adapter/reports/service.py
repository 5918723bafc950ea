"""The report endpoint's work, without HTTP: query parameters and stored resources in, a body out.

Meant for `GET [base]/Measure/ltsc-offer-uptake/$evaluate-measure?periodStart=..&periodEnd=..
[&plan=..][&_format=json|csv|html]`; the API layer fetches the Patients, offer Tasks,
Organizations, PractitionerRoles and CarePlans and turns InvalidRequest into a 400.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from adapter.errors import InvalidRequest
from adapter.reports.formats import render
from adapter.reports.from_fhir import rows_from_fhir
from adapter.reports.report import compute_report

# What the report reads from the store: everything rows_from_fhir resolves.
RESOURCE_TYPES = ("Patient", "Task", "Organization", "PractitionerRole", "CarePlan")


def evaluate_measure(
    resources: Iterable[dict[str, Any]], params: Mapping[str, str]
) -> tuple[str, str]:
    """(body, media type) of the report for the requested period, plan and format."""
    start = _date_param(params, "periodStart")
    end = _date_param(params, "periodEnd")
    if end < start:
        raise InvalidRequest("periodEnd is before periodStart", expression="periodEnd")
    members, offers = rows_from_fhir(resources)
    report = compute_report(members, offers, start, end, plan_id=params.get("plan") or None)
    return render(report, params.get("_format") or "json")


def _date_param(params: Mapping[str, str], name: str) -> date:
    value = params.get(name)
    if not value:
        raise InvalidRequest(f"{name} is required (a date like 2026-01-31)", expression=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(
            f"{name} must be a date like 2026-01-31, not {value!r}", expression=name
        ) from None
