"""REPORT's Measure, CodeSystem and ValueSet in profiles/ agree with the computed figures."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.measure import Measure
from fhir.resources.R4B.valueset import ValueSet

from adapter.config import PROFILES_DIR, PROJECT_ROOT
from adapter.reports.figures import GROUPS

BASE = "https://ltsc-adapter.org/fhir"


def load(name):
    return json.loads((PROFILES_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measure():
    return load("Measure-ltsc-offer-uptake.json")


@pytest.fixture(scope="module")
def code_system():
    return load("CodeSystem-report-measure.json")


def test_report_measure_parses_and_names_its_rules(measure):
    Measure.model_validate(measure)
    assert measure["url"] == f"{BASE}/Measure/ltsc-offer-uptake"
    assert (measure["version"], measure["status"]) == ("0.1.0", "draft")
    last_line = measure["description"].splitlines()[-1]
    assert last_line == "Rule ids: REPORT, OFFER-90, AVAIL-ASSESS, CHOICE, CHOICE-TWO"


def test_report_measure_has_one_group_per_computed_figure(measure):
    in_measure = [
        (
            g["code"]["coding"][0]["code"],
            [p["code"]["coding"][-1]["code"] for p in g["population"]],
            [s["code"]["coding"][0]["code"] for s in g.get("stratifier", [])],
        )
        for g in measure["group"]
    ]
    computed = [(g.code, [p.code for p in g.populations], list(g.stratifiers)) for g in GROUPS]
    assert in_measure == computed


def test_report_code_system_is_complete_with_displays_and_definitions(code_system):
    CodeSystem.model_validate(code_system)
    assert code_system["content"] == "complete"
    assert code_system["count"] == len(code_system["concept"])
    assert all(c["display"] and c["definition"] for c in code_system["concept"])
    assert code_system["description"].splitlines()[-1] == "Rule ids: REPORT"


def test_report_every_measure_code_is_in_the_code_system(measure, code_system):
    known = {c["code"] for c in code_system["concept"]}
    used = {
        coding["code"]
        for g in measure["group"]
        for concept in [g["code"]]
        + [p["code"] for p in g["population"]]
        + [s["code"] for s in g.get("stratifier", [])]
        for coding in concept["coding"]
        if coding["system"] == code_system["url"]
    }
    assert used == known


def test_report_value_set_includes_the_whole_code_system(code_system):
    value_set = load("ValueSet-report-measure.json")
    ValueSet.model_validate(value_set)
    assert value_set["id"] == code_system["id"]
    assert value_set["compose"]["include"] == [{"system": code_system["url"]}]
    assert value_set["description"].splitlines()[-1] == "Rule ids: REPORT"


def test_report_every_code_is_defined_in_docs_reports(code_system):
    # Each Measure criteria points at docs/reports.md#<code>; the anchor must be there.
    text = (PROJECT_ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    missing = [c["code"] for c in code_system["concept"] if f'<a id="{c["code"]}"></a>' not in text]
    assert missing == []
