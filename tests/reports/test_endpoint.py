"""REPORT through the service: `GET [base]/Measure/ltsc-offer-uptake/$evaluate-measure`."""

import pytest

from adapter.api import create_app
from adapter.api.command import load_samples
from adapter.config import Settings
from adapter.security.dev_keys import issue_dev_token
from adapter.store import open_store

PATH = "/fhir/Measure/ltsc-offer-uptake/$evaluate-measure"
PERIOD = "periodStart=2026-01-01&periodEnd=2026-10-31"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-endpoint")
    settings = Settings(
        database_url=f"sqlite:///{folder}/report.db", auth_dev_dir=str(folder / "dev-auth")
    )
    store = open_store(settings.database_url)
    load_samples(store, settings)
    yield settings, create_app(settings, store=store).test_client()
    store.close()


def get(served, client_id, query):
    settings, client = served
    token = issue_dev_token(settings, client_id)
    return client.get(f"{PATH}?{query}", headers={"Authorization": f"Bearer {token}"})


def population(report, code):
    for group in report["group"]:
        for pop in group.get("population", []):
            if any(c["code"] == code for c in pop["code"]["coding"]):
                return pop["count"]
    raise AssertionError(f"no population {code}")


def test_report_endpoint_returns_a_measure_report_for_the_plan(served):
    response = get(served, "dev-plan", PERIOD)
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.get_json()
    assert report["resourceType"] == "MeasureReport"
    assert report["measure"].endswith("/Measure/ltsc-offer-uptake")
    assert population(report, "members-enrolled") > 0


def test_report_endpoint_counts_only_what_a_cbo_may_see(served):
    plan = get(served, "dev-plan", PERIOD).get_json()
    cbo = get(served, "dev-cbo-mbil", PERIOD).get_json()
    assert 0 < population(cbo, "members-enrolled") < population(plan, "members-enrolled")


@pytest.mark.parametrize(("fmt", "media"), [("csv", "text/csv"), ("html", "text/html")])
def test_report_endpoint_renders_csv_and_html(served, fmt, media):
    response = get(served, "dev-plan", f"{PERIOD}&format={fmt}")
    assert response.status_code == 200
    assert response.mimetype == media
    assert "offer" in response.get_data(as_text=True).lower()


def test_report_endpoint_refuses_a_bad_period_with_an_outcome(served):
    response = get(served, "dev-plan", "periodStart=2026-13-01&periodEnd=2026-10-31")
    assert response.status_code == 400
    issue = response.get_json()["issue"][0]
    assert issue["expression"] == ["periodStart"]


def test_report_endpoint_needs_a_token(served):
    _, client = served
    assert client.get(f"{PATH}?{PERIOD}").status_code == 401
