"""The report endpoint's work (evaluate_measure): parameters checked, stored resources reported."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.measurereport import MeasureReport

from adapter.errors import InvalidRequest
from adapter.mapping import sample_bundles
from adapter.reports import evaluate_measure


@pytest.fixture(scope="module")
def resources():
    return [e["resource"] for b in sample_bundles() for e in b["entry"]]


def test_report_endpoint_returns_a_measure_report_by_default(resources):
    body, media_type = evaluate_measure(
        resources, {"periodStart": "2026-01-01", "periodEnd": "2026-10-31", "plan": "CCA-OC"}
    )
    assert media_type == "application/fhir+json"
    resource = json.loads(body)
    MeasureReport.model_validate(resource)
    assert resource["reporter"]["identifier"]["value"] == "CCA-OC"


def test_report_endpoint_serves_html_and_csv(resources):
    period = {"periodStart": "2026-01-01", "periodEnd": "2026-10-31"}
    html, html_type = evaluate_measure(resources, period | {"_format": "html"})
    assert (html_type, html.count("<svg")) == ("text/html; charset=utf-8", 3)
    text, csv_type = evaluate_measure(resources, period | {"_format": "csv"})
    assert csv_type == "text/csv; charset=utf-8"
    assert text.startswith("period_start,period_end,plan_id,group,figure,")


@pytest.mark.parametrize(
    ("params", "expression"),
    [
        ({"periodEnd": "2026-10-31"}, "periodStart"),
        ({"periodStart": "2026-1-1", "periodEnd": "2026-10-31"}, "periodStart"),
        ({"periodStart": "2026-10-31", "periodEnd": "2026-01-01"}, "periodEnd"),
        ({"periodStart": "2026-01-01", "periodEnd": "2026-10-31", "_format": "pdf"}, "_format"),
    ],
)
def test_report_endpoint_refuses_bad_parameters_with_an_expression(params, expression):
    with pytest.raises(InvalidRequest) as caught:
        evaluate_measure([], params)
    assert caught.value.http_status == 400
    assert caught.value.outcome()["issue"][0]["expression"] == [expression]
