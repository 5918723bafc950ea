"""Every mapped Bundle conforms to our profiles and to US Core 7.0.0: no errors, no dom-6.

The samples run in every test run; a generated export of 2,000 members runs as a slow test.
Against our profiles, each entry is checked by its `meta.profile`; against US Core, each
resource of a type US Core profiles is checked by the US Core profile alone (the package held
in profiles/dependencies/), so a gap in our derivation cannot hide a US Core error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

import pytest

from adapter.config import PROFILES_DIR
from adapter.mapping.pipeline import map_export, sample_bundles
from adapter.outcome import Issue
from adapter.records.generator import generate_export
from adapter.validation.validator import Validator, default_validator

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
US_CORE_PROFILE = {
    "Patient": "us-core-patient",
    "Organization": "us-core-organization",
    "Practitioner": "us-core-practitioner",
    "PractitionerRole": "us-core-practitionerrole",
    "CareTeam": "us-core-careteam",
    "CarePlan": "us-core-careplan",
    "Goal": "us-core-goal",
    "ServiceRequest": "us-core-servicerequest",
    "Provenance": "us-core-provenance",
    "Condition": "us-core-condition-problems-health-concerns",
}


def blocking(issues: Iterable[Issue]) -> list[str]:
    """Errors, and the narrative warning (dom-6) that must never appear on our output."""
    return [
        f"{issue.severity} {', '.join(issue.expression)}: {issue.message}"
        for issue in issues
        if issue.is_error or "dom-6" in issue.message
    ]


def against_our_profiles(validator: Validator, bundles: Iterable[dict[str, Any]]) -> list[str]:
    return [problem for bundle in bundles for problem in blocking(validator.validate(bundle))]


def against_us_core(validator: Validator, bundles: Iterable[dict[str, Any]]) -> tuple[int, list]:
    """Each distinct resource of a US Core type against the US Core profile only."""
    seen: set[str] = set()
    problems: list[str] = []
    for bundle in bundles:
        for entry in bundle["entry"]:
            resource = entry["resource"]
            name = US_CORE_PROFILE.get(resource["resourceType"])
            key = json.dumps(resource, sort_keys=True)
            if name is None or key in seen:
                continue
            seen.add(key)
            alone = {**resource, "meta": {"profile": [US_CORE + name]}}
            found = blocking(validator.validate(alone))
            problems.extend(f"{resource['resourceType']}/{resource['id']} {p}" for p in found)
    return len(seen), problems


@functools.cache
def samples() -> tuple[dict[str, Any], ...]:
    return tuple(sample_bundles())


def test_us_core_profiles_are_loaded_from_the_repository() -> None:
    validator = default_validator()
    for name in US_CORE_PROFILE.values():
        sd = validator.definitions.structure_definition(US_CORE + name)
        assert sd is not None and sd["version"] == "7.0.0", name


def test_sample_bundles_validate_against_our_profiles_without_errors_or_narrative_warnings():
    bundles = samples()
    assert len(bundles) == 45
    assert against_our_profiles(default_validator(), bundles) == []


def test_sample_resources_validate_against_us_core_7() -> None:
    checked, problems = against_us_core(default_validator(), samples())
    assert checked > 300
    assert problems == []


def test_a_resource_missing_what_us_core_requires_fails_against_us_core() -> None:
    """The check can fail: US Core requires Patient.gender and an identifier."""
    patient = next(
        e["resource"] for e in samples()[0]["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    broken = {k: v for k, v in patient.items() if k not in ("gender", "identifier")}
    _, problems = against_us_core(default_validator(), [{"entry": [{"resource": broken}]}])
    assert any("Patient.gender" in p for p in problems)
    assert any("Patient.identifier" in p for p in problems)


@pytest.mark.slow
def test_a_generated_export_of_2000_members_validates_against_ours_and_us_core() -> None:
    export = generate_export(2000, seed=7)
    bundles = [bundle for _, bundle in map_export(export)]
    assert len(bundles) == 2000
    validator = default_validator()
    assert against_our_profiles(validator, bundles) == []
    checked, problems = against_us_core(validator, bundles)
    assert checked > 10_000
    assert problems == []


def test_us_core_category_slice_is_matched_by_its_required_binding():
    """US Core defines Condition.category:us-core by a required binding, not a pattern."""
    condition = json.loads(
        (PROFILES_DIR / "examples" / "ltss-need-condition-bathing.json").read_text()
    )
    url = US_CORE + US_CORE_PROFILE["Condition"]
    problem = {
        **condition,
        "meta": {"profile": [url]},
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
    }
    assert blocking(default_validator().validate(problem)) == []
    diagnosis = json.loads(json.dumps(problem))
    diagnosis["category"][0]["coding"][0]["code"] = "encounter-diagnosis"
    problems = blocking(default_validator().validate(diagnosis))
    assert any("Slice 'us-core'" in p for p in problems)
