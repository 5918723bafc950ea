"""StructureDefinitions: differentials that fit base R4, the profile ids of the architecture,
and invariants that name the One Care rule ids they enforce."""

from __future__ import annotations

import re

import fhirpathpy
import pytest
from fhirpathpy.models import models

from adapter.canonical import profile_url
from adapter.validation.definitions import load_base_r4
from tests.profiles.loading import (
    KNOWN_EXTERNAL_SYSTEMS,
    all_codes,
    artifacts,
    catalogue_rule_ids,
    constraints,
    element_in_base,
    of_type,
    profiles,
    rule_ids_of_constraint,
    rule_ids_of_description,
)

# docs/architecture.md §3
PROFILE_TYPES = {
    "onecare-patient": "Patient",
    "onecare-organization": "Organization",
    "ltsc-cbo": "Organization",
    "onecare-practitioner": "Practitioner",
    "ltsc-practitionerrole": "PractitionerRole",
    "cc-practitionerrole": "PractitionerRole",
    "ltsc-careteam": "CareTeam",
    "onecare-careplan": "CarePlan",
    "onecare-goal": "Goal",
    "ltss-need-condition": "Condition",
    "ltsc-offer-task": "Task",
    "ltss-servicerequest": "ServiceRequest",
    "ltss-service-task": "Task",
    "ltsc-communication": "Communication",
    "ltsc-consent": "Consent",
    "onecare-provenance": "Provenance",
    "ltss-procedure": "Procedure",
}
EXTENSION_CONTEXTS = {
    "rating-category": ["Patient"],
    "accessibility-need": ["Patient"],
    "communication-preference": ["Patient"],
    "offer-shortfall-reason": ["Task"],
    "participation-consent": ["CareTeam.participant"],
}
# The reports work covers REPORT with its Measure; no resource profile enforces it.
RULES_COVERED_ELSEWHERE = {"REPORT"}
ELEMENT_ID = re.compile(r"^[A-Z][A-Za-z]*(\.[a-z][A-Za-z]*(\[x\])?(:[A-Za-z][A-Za-z0-9-]*)?)*$")

STRUCTURES = of_type("StructureDefinition")


def ids(sd):
    return sd["id"]


def test_profiles_are_exactly_those_of_the_architecture():
    assert {sd["id"]: sd["type"] for sd in profiles()} == PROFILE_TYPES


def test_extensions_have_the_contracted_contexts():
    extensions = {sd["id"]: sd for sd in STRUCTURES if sd["type"] == "Extension"}
    assert set(extensions) == set(EXTENSION_CONTEXTS)
    for ext_id, contexts in EXTENSION_CONTEXTS.items():
        assert [c["expression"] for c in extensions[ext_id]["context"]] == contexts


# Where US Core 7.0.0 profiles a resource type, ours derive from that profile.
US_CORE_PROFILE_OF = {
    kind: f"http://hl7.org/fhir/us/core/StructureDefinition/us-core-{name}"
    for kind, name in {
        "Patient": "patient",
        "Organization": "organization",
        "Practitioner": "practitioner",
        "PractitionerRole": "practitionerrole",
        "CareTeam": "careteam",
        "CarePlan": "careplan",
        "Goal": "goal",
        "ServiceRequest": "servicerequest",
        "Provenance": "provenance",
        "Condition": "condition-problems-health-concerns",
    }.items()
}


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_is_a_differential_constraint_on_us_core_or_base_r4(sd):
    assert sd["derivation"] == "constraint"
    assert sd["fhirVersion"] == "4.0.1"
    base = sd["baseDefinition"]
    if sd["type"] in US_CORE_PROFILE_OF:
        assert base == US_CORE_PROFILE_OF[sd["type"]]
    else:
        assert base == f"http://hl7.org/fhir/StructureDefinition/{sd['type']}"
    assert load_base_r4().structure_definition(sd["type"]) is not None
    assert sd["differential"]["element"][0]["path"].split(".")[0] == sd["type"]


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_every_differential_path_exists_in_base_r4(sd):
    for element in sd["differential"]["element"]:
        assert element_in_base(element["path"]) is not None, element["id"]


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_element_ids_are_the_path_with_slice_names(sd):
    declared_slices = set()
    for element in sd["differential"]["element"]:
        assert ELEMENT_ID.match(element["id"]), element["id"]
        assert re.sub(r":[A-Za-z0-9-]+", "", element["id"]) == element["path"], element["id"]
        if "sliceName" in element:
            last = element["path"].rsplit(".", 1)[-1]
            assert element["id"].endswith(f"{last}:{element['sliceName']}")
            declared_slices.add(element["id"])
        for prefix in re.findall(r"^(.*?:[A-Za-z0-9-]+)(?=\.|$)", element["id"]):
            assert prefix in declared_slices, f"{element['id']} before its slice"


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_sliced_elements_declare_their_slicing_first(sd):
    elements = sd["differential"]["element"]
    for position, element in enumerate(elements):
        if "sliceName" in element:
            sliced = element["id"].rsplit(":", 1)[0]
            earlier = [e for e in elements[:position] if e["id"] == sliced]
            assert earlier and "slicing" in earlier[0], element["id"]


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_referenced_profiles_and_value_sets_exist(sd):
    definitions = load_base_r4()
    for element in sd["differential"]["element"]:
        for type_ in element.get("type", []):
            for url in type_.get("targetProfile", []) + type_.get("profile", []):
                assert url in artifacts() or definitions.structure_definition(url), url
        if "binding" in element:
            url = element["binding"]["valueSet"]
            assert url in artifacts() or url in definitions.value_sets, url


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_description_ends_with_rule_ids_from_the_catalogue(sd):
    named = rule_ids_of_description(sd["description"])
    assert set(named) <= catalogue_rule_ids()


def test_every_catalogued_rule_is_named_by_a_profile():
    named = {rule for sd in STRUCTURES for rule in rule_ids_of_description(sd["description"])}
    assert catalogue_rule_ids() - RULES_COVERED_ELSEWHERE <= named


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_constraints_are_errors_that_name_their_rules(sd):
    keys = [c["key"] for c in constraints(sd)]
    assert len(keys) == len(set(keys))
    described = set(rule_ids_of_description(sd["description"]))
    for constraint in constraints(sd):
        assert constraint["severity"] == "error"
        assert constraint["source"] == sd["url"]
        assert constraint["key"].startswith(sd["id"].split("-")[0] + "-") or constraint[
            "key"
        ].startswith(sd["id"] + "-"), constraint["key"]
        rules = rule_ids_of_constraint(constraint)
        assert rules and set(rules) <= described, constraint["key"]


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_constraint_expressions_compile(sd):
    for constraint in constraints(sd):
        fhirpathpy.compile(constraint["expression"], model=models["r4"])


def test_path_lookup_refuses_unknown_elements():
    assert element_in_base("Task.restriction.period.end") is not None
    assert element_in_base("Task.restriction.period.due") is None
    assert element_in_base("Task.dueDate") is None


def test_profile_urls_follow_the_canonical_scheme():
    for sd in profiles():
        assert sd["url"] == profile_url(sd["id"])


def test_catalogue_is_read_including_one_word_and_grouped_ids():
    assert {"OFFER-90", "CHOICE", "WAIT", "GOALS", "COMM-PREFS", "REPORT"} <= catalogue_rule_ids()
    assert len(catalogue_rule_ids()) >= 22


def pattern_codings(element: dict) -> list[dict]:
    patterns = [v for k, v in element.items() if k.startswith(("pattern", "fixed"))]
    return [c for p in patterns if isinstance(p, dict) for c in p.get("coding", [])]


@pytest.mark.parametrize("sd", STRUCTURES, ids=ids)
def test_pattern_codes_exist_in_their_code_systems(sd):
    local = {cs["url"]: {c["code"] for c in cs["concept"]} for cs in of_type("CodeSystem")}
    base = load_base_r4().code_systems
    for element in sd["differential"]["element"]:
        for coding in pattern_codings(element):
            system = coding["system"]
            assert system in local or system in base or system in KNOWN_EXTERNAL_SYSTEMS, system
            if "code" in coding and system in local:
                assert coding["code"] in local[system], coding
            if "code" in coding and base.get(system, {}).get("content") == "complete":
                assert coding["code"] in all_codes(base[system]), coding
