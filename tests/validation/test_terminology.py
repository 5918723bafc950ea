"""Offline terminology: expansions as sets, offline systems and unknown value sets kept apart."""

from __future__ import annotations

from adapter.validation.definitions import load_base_r4
from adapter.validation.terminology import Terminology
from tests.validation.conftest import TEST_BASE


def test_expansion_is_computed_once(definitions):
    terminology = Terminology(definitions)
    first = terminology.expansion(f"{TEST_BASE}/ValueSet/test-status")
    assert first is terminology.expansion(f"{TEST_BASE}/ValueSet/test-status|1.0")
    assert set(first.codes[f"{TEST_BASE}/CodeSystem/test-status"]) == {
        "due",
        "offered",
        "closed",
        "accepted",
        "declined",
    }


def test_descendent_of_filter_keeps_only_children(definitions):
    terminology = Terminology(definitions)
    url = f"{TEST_BASE}/ValueSet/test-closed-status"
    system = f"{TEST_BASE}/CodeSystem/test-status"
    assert terminology.check(url, system, "accepted").status == "in_set"
    assert terminology.check(url, system, "closed").status == "not_in_set"


def test_offline_system_is_not_a_failure(definitions):
    terminology = Terminology(definitions)
    url = f"{TEST_BASE}/ValueSet/test-reasons"
    assert terminology.check(url, "http://snomed.info/sct", "183524004").status == "offline"
    assert terminology.check(url, f"{TEST_BASE}/CodeSystem/test-status", "due").status == "in_set"
    assert terminology.check(url, "http://example.org/x", "due").status == "not_in_set"


def test_unknown_value_set_is_reported_as_such(definitions):
    check = Terminology(definitions).check("http://example.org/ValueSet/none", None, "x")
    assert check.status == "unknown_vs"


def test_value_set_including_another_and_excluding_a_code():
    definitions = load_base_r4()
    definitions.add(
        {
            "resourceType": "ValueSet",
            "url": "http://example.org/ValueSet/open-tasks",
            "compose": {
                "include": [{"valueSet": ["http://hl7.org/fhir/ValueSet/task-status"]}],
                "exclude": [
                    {
                        "system": "http://hl7.org/fhir/task-status",
                        "concept": [{"code": "completed"}],
                    }
                ],
            },
        }
    )
    terminology = Terminology(definitions)
    url = "http://example.org/ValueSet/open-tasks"
    assert terminology.check(url, "http://hl7.org/fhir/task-status", "ready").status == "in_set"
    assert terminology.check(url, None, "completed").status == "not_in_set"


def test_displays_come_from_the_code_system(definitions):
    codes = Terminology(definitions).system_codes("http://hl7.org/fhir/task-status")
    assert codes["requested"] == "Requested"
