"""REPORT as a FHIR R4 MeasureReport: parses with fhir.resources and carries the figures."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.measurereport import MeasureReport

from adapter.reports import compute_report, to_measure_report
from adapter.validation.validator import default_validator
from tests.reports.dataset import MEMBERS, OFFERS, Q2_END, Q2_START

MEASURE = "https://ltsc-adapter.org/fhir/Measure/ltsc-offer-uptake"
REPORT_CODES = "https://ltsc-adapter.org/fhir/CodeSystem/report-measure"


@pytest.fixture(scope="module")
def resource():
    report = compute_report(MEMBERS, OFFERS, Q2_START, Q2_END, plan_id="P1")
    return to_measure_report(report)


def group(resource, code):
    return next(g for g in resource["group"] if g["code"]["coding"][0]["code"] == code)


def population(measured, code):
    return next(
        p["count"] for p in measured["population"] if p["code"]["coding"][-1]["code"] == code
    )


def test_report_measure_report_parses_with_fhir_resources(resource):
    parsed = MeasureReport.model_validate(resource)
    assert parsed.status == "complete"
    assert parsed.type == "summary"
    assert parsed.measure == MEASURE


def test_report_measure_report_period_and_reporting_plan(resource):
    assert resource["period"] == {"start": "2026-04-01", "end": "2026-06-30"}
    assert resource["reporter"]["identifier"]["value"] == "P1"
    assert resource["id"] == "ltsc-offer-uptake-p1-2026-04-01-2026-06-30"


def test_offer_90_group_has_denominator_numerator_and_score(resource):
    offer_90 = group(resource, "offer-90")
    roles = [p["code"]["coding"][0]["code"] for p in offer_90["population"]]
    assert roles == ["denominator", "numerator"]
    # P1 only: windows O1, O2, O4; O1 on time (tests/reports/dataset.py).
    assert population(offer_90, "offer-90-due") == 3
    assert population(offer_90, "offer-90-on-time") == 1
    assert offer_90["measureScore"] == {"value": 0.3333}


def test_report_days_scores_are_ucum_days(resource):
    # P1 first offers in Q2: D 9, A 78, B 97 days; nearest-rank median 78, p90 97.
    assert group(resource, "days-to-offer-median")["measureScore"]["value"] == 78
    p90 = group(resource, "days-to-offer-p90")["measureScore"]
    assert p90 == {"value": 97, "unit": "d", "system": "http://unitsofmeasure.org", "code": "d"}


def test_choice_uptake_stratified_by_rating_trigger_and_cbo_type(resource):
    uptake = group(resource, "uptake")
    names = [s["code"][0]["coding"][0]["code"] for s in uptake["stratifier"]]
    assert names == ["rating-category", "trigger", "cbo-type"]
    cbo = uptake["stratifier"][2]["stratum"]
    asap = next(s for s in cbo if s["value"]["coding"][0]["code"] == "ASAP")
    # P1: ASAP offered only in O2, declined.
    assert population(asap, "offers-decided") == 1
    assert asap["measureScore"] == {"value": 0.0}
    other = next(s for s in cbo if s["value"]["text"] == "other")
    assert "measureScore" not in other  # O5 still pending: no rate at all


def test_report_groups_without_score_carry_none(resource):
    assert "measureScore" not in group(resource, "members-enrolled")
    assert population(group(resource, "members-enrolled"), "members-enrolled") == 5


def test_report_every_code_is_from_the_report_measure_system(resource):
    for g in resource["group"]:
        assert g["code"]["coding"][0]["system"] == REPORT_CODES
        for p in g["population"]:
            assert p["code"]["coding"][-1]["system"] == REPORT_CODES


def test_report_measure_report_for_all_plans_has_no_reporter():
    report = compute_report(MEMBERS, OFFERS, Q2_START, Q2_END)
    resource = to_measure_report(report)
    assert "reporter" not in resource
    assert resource["id"] == "ltsc-offer-uptake-all-2026-04-01-2026-06-30"
    MeasureReport.model_validate(resource)


def test_report_measure_report_has_a_generated_summary_narrative(resource):
    # P1 in Q2: members A, B, C, D, G; offers O1, O2, O5 made; O1 accepted, O2 declined.
    assert resource["text"]["status"] == "generated"
    assert resource["text"]["div"] == (
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>LTS-C offers and uptake, 2026-04-01 to '
        "2026-06-30, plan P1: 5 members enrolled, 3 offers made, uptake 50.0%.</p></div>"
    )


def test_report_measure_report_has_no_errors_in_the_adapters_validator(resource):
    issues = default_validator().validate(resource)
    assert [i for i in issues if i.is_error] == []
