"""The report's words: figure codes and displays, read once from the report-measure CodeSystem."""

from __future__ import annotations

import json
from functools import cache

from adapter.canonical import BASE, code_system_url
from adapter.config import PROFILES_DIR

MEASURE_URL = f"{BASE}/Measure/ltsc-offer-uptake"
REPORT_CODES = code_system_url("report-measure")
MEASURE_POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
ROLE_DISPLAYS = {
    "initial-population": "Initial Population",
    "denominator": "Denominator",
    "numerator": "Numerator",
}


@cache
def concepts() -> dict[str, dict[str, str]]:
    """code → {display, definition}, from profiles/CodeSystem-report-measure.json."""
    path = PROFILES_DIR / "CodeSystem-report-measure.json"
    code_system = json.loads(path.read_text(encoding="utf-8"))
    return {c["code"]: c for c in code_system["concept"]}


def display(code: str) -> str:
    return concepts()[code]["display"]


def definition(code: str) -> str:
    return concepts()[code]["definition"]
