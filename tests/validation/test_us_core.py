"""The 214 US Core 7.0.0 examples validate with no error against the profiles they declare."""

from __future__ import annotations

import functools
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from adapter.validation import Validator
from adapter.validation.definitions import load_base_r4
from adapter.validation.fhir_xml import parse_xml, to_xml
from adapter.validation.packages import load_sources

US_CORE = Path(__file__).parent / "packages" / "hl7.fhir.us.core-7.0.0.tgz"
US_CORE_BASE = "http://hl7.org/fhir/us/core/StructureDefinition/"


def _examples() -> list[tuple[str, dict[str, Any]]]:
    found = []
    with tarfile.open(US_CORE) as archive:
        for member in archive:
            if member.name.startswith("package/example/") and member.name.endswith(".json"):
                stream = archive.extractfile(member)
                assert stream is not None
                found.append((member.name.rsplit("/", 1)[-1], json.loads(stream.read())))
    return sorted(found, key=lambda pair: pair[0])


EXAMPLES = _examples()


@functools.cache
def validator() -> Validator:
    definitions = load_base_r4()
    assert [i for i in load_sources([US_CORE], definitions) if i.is_error] == []
    return Validator(definitions)


def test_all_examples_are_here():
    assert len(EXAMPLES) == 214


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda pair: pair[0])
def test_example_has_no_error(example):
    _, resource = example
    issues = validator().validate(resource)
    errors = [f"{i.expression} {i.message}" for i in issues if i.is_error]
    assert errors == []


def test_examples_are_checked_against_us_core_profiles():
    """The declared profiles resolve, so the examples are really checked against US Core."""
    declared = [
        url
        for _, resource in EXAMPLES
        for url in resource.get("meta", {}).get("profile", [])
        if url.startswith(US_CORE_BASE)
    ]
    assert len(declared) > 150
    unresolved = {url for url in declared if isinstance(validator().model(url), str)}
    assert unresolved == set()


def test_a_broken_example_is_caught():
    """The same profiles do find errors: US Core Patient requires an identifier and a name."""
    patient = next(r for name, r in EXAMPLES if name == "Patient-example.json")
    broken = {k: v for k, v in patient.items() if k not in ("name", "identifier")}
    issues = validator().validate(broken)
    where = {i.expression[0] for i in issues if i.is_error}
    assert where == {"Patient.identifier", "Patient.name"}


@functools.cache
def generated_validator() -> Validator:
    """US Core with every snapshot dropped, so that the validator generates each one."""
    definitions = load_base_r4()
    load_sources([US_CORE], definitions)
    for url, sd in list(definitions.structure_definitions.items()):
        if url.startswith(US_CORE_BASE):
            definitions.add({k: v for k, v in sd.items() if k != "snapshot"})
    return Validator(definitions)


def test_snapshots_generated_from_us_core_differentials():
    """Only the profile whose base lives in a package not shipped (SDC) cannot be generated."""
    validator = generated_validator()
    urls = [u for u in validator.definitions.structure_definitions if u.startswith(US_CORE_BASE)]
    refused = {u.rsplit("/", 1)[1] for u in urls if isinstance(validator.model(u), str)}
    assert len(urls) == 63
    assert refused == {"us-core-questionnaireresponse"}


def test_examples_pass_on_generated_snapshots_too():
    validator = generated_validator()
    failing = {
        name: [f"{i.expression} {i.message}" for i in validator.validate(resource) if i.is_error]
        for name, resource in EXAMPLES
    }
    assert {name: found for name, found in failing.items() if found} == {}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda pair: pair[0])
def test_example_as_xml_has_no_error(example):
    """The same examples, written as FHIR XML and read back, are still free of errors."""
    _, resource = example
    definitions = validator().definitions
    from_xml = parse_xml(to_xml(resource, definitions), definitions)
    errors = [f"{i.expression} {i.message}" for i in validator().validate(from_xml) if i.is_error]
    assert errors == []
