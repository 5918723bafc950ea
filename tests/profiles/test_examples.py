"""Examples: each profile has a valid one; each invariant holds on it and fails on its bad twin."""

from __future__ import annotations

import copy

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhirpathpy import evaluate
from fhirpathpy.models import models

from adapter.validation.definitions import load_base_r4
from tests.profiles.loading import (
    EXAMPLES,
    artifacts,
    bad_example_files,
    constraints,
    element_in_base,
    example_files,
    expected_errors,
    of_type,
    profile_of,
    profiles,
    read_json,
    valid_example_files,
)

R4 = models["r4"]
VALID, BAD, ALL = valid_example_files(), bad_example_files(), example_files()


def name(path):
    return path.name


def holds(resource: dict, expression: str) -> bool:
    # A constraint passes only when it evaluates to exactly true; evaluate() may edit its input.
    return evaluate(copy.deepcopy(resource), expression, {}, R4) == [True]


def coded_values(value, found):
    """Every (system, code) pair in Codings anywhere in the resource."""
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            found.append((value["system"], value["code"]))
        for item in value.values():
            coded_values(item, found)
    elif isinstance(value, list):
        for item in value:
            coded_values(item, found)
    return found


@pytest.mark.parametrize("path", ALL, ids=name)
def test_example_is_named_after_its_profile(path):
    example = read_json(path)
    profile = profile_of(example)
    assert profile["type"] == example["resourceType"]
    assert path.name.startswith(profile["id"] + "-")


@pytest.mark.parametrize("path", ALL, ids=name)
def test_example_parses_with_the_r4b_models(path):
    example = read_json(path)
    model = get_fhir_model_class(example["resourceType"])
    assert model.model_validate(example).id == example["id"]


@pytest.mark.parametrize("path", ALL, ids=name)
def test_codes_of_our_code_systems_exist(path):
    local = {cs["url"]: {c["code"] for c in cs["concept"]} for cs in of_type("CodeSystem")}
    for system, code in coded_values(read_json(path), []):
        if system in local:
            assert code in local[system], f"{system}#{code}"


def test_every_profile_has_a_valid_example():
    exemplified = {profile_of(read_json(p))["id"] for p in VALID}
    assert exemplified == {sd["id"] for sd in profiles()}


@pytest.mark.parametrize("path", VALID, ids=name)
def test_every_invariant_holds_on_valid_example(path):
    example = read_json(path)
    for constraint in constraints(profile_of(example)):
        assert holds(example, constraint["expression"]), constraint["key"]


@pytest.mark.parametrize("path", BAD, ids=name)
def test_bad_example_fails_exactly_its_expected_invariants(path):
    example = read_json(path)
    expected = {e["key"] for e in expected_errors()[path.name]["expected"] if "key" in e}
    failing = {
        c["key"] for c in constraints(profile_of(example)) if not holds(example, c["expression"])
    }
    assert failing == expected


def test_every_invariant_has_a_bad_example():
    keys = {c["key"] for sd in of_type("StructureDefinition") for c in constraints(sd)}
    covered = {
        e["key"] for entry in expected_errors().values() for e in entry["expected"] if "key" in e
    }
    assert keys == covered


def test_expected_errors_index_points_at_existing_files_and_counterparts():
    for file_name, entry in expected_errors().items():
        assert (EXAMPLES / file_name).exists(), file_name
        assert "-bad-" in file_name
        assert (EXAMPLES / entry["valid_counterpart"]).exists()
        assert entry["expected"], file_name
        for error in entry["expected"]:
            assert error["severity"] == "error"
            # An invariant is reported on the resource; a binding on its element.
            if "key" in error:
                assert error["expression"] == read_json(EXAMPLES / file_name)["resourceType"]
            else:
                assert error["value_set"] in artifacts()
                assert element_in_base(error["expression"]) is not None


@pytest.mark.parametrize("path", BAD, ids=name)
def test_bad_example_is_a_changed_copy_of_its_counterpart(path):
    counterpart = read_json(EXAMPLES / expected_errors()[path.name]["valid_counterpart"])
    assert read_json(path)["resourceType"] == counterpart["resourceType"]
    assert read_json(path) != counterpart


def test_binding_bad_examples_use_codes_outside_the_bound_value_set():
    for file_name, entry in expected_errors().items():
        example = read_json(EXAMPLES / file_name)
        for error in (e for e in entry["expected"] if "value_set" in e):
            include = artifacts()[error["value_set"]]["compose"]["include"]
            allowed = {c["code"] for i in include for c in i.get("concept", [])}
            value = evaluate(copy.deepcopy(example), error["expression"], {}, R4)
            assert value and not set(value) & allowed, file_name


@pytest.mark.parametrize(
    "path", [p for p in VALID if read_json(p)["resourceType"] == "Consent"], ids=name
)
def test_consent_examples_satisfy_base_ppc_invariants(path):
    consent = load_base_r4().structure_definition("Consent")
    ppc = [
        c
        for e in consent["snapshot"]["element"]
        for c in e.get("constraint", [])
        if c["key"].startswith("ppc-")
    ]
    assert len(ppc) == 5
    for constraint in ppc:
        assert holds(read_json(path), constraint["expression"]), constraint["key"]


def test_examples_reference_profiles_of_this_package():
    for path in ALL:
        assert read_json(path)["meta"]["profile"][0] in artifacts()
