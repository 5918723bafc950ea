"""Loads the profiles package (profiles/), its examples and the rule catalogue for the tests."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from adapter.validation.definitions import load_base_r4

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "profiles"
EXAMPLES = PROFILES / "examples"
EXPECTED_ERRORS = EXAMPLES / "expected-errors.json"
# The domain README holds the rule catalogue; docs/rules.md, the repository's rule -> code
# table, names the same ids and stands in where the README is not checked out.
CATALOGUE_CANDIDATES = (Path("/work/shared/domain/README.md"), ROOT / "docs" / "rules.md")
RULE_ID = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z]{4,}"
RULE_CELL = re.compile(rf"^\|\s*((?:{RULE_ID})(?:, (?:{RULE_ID}))*)\s*\|", re.MULTILINE)
TRAILING_RULES = re.compile(r"\(([A-Z][A-Z0-9-]*(?:, [A-Z][A-Z0-9-]*)*)\)$")


# Published code systems we reuse without shipping them (docs/architecture.md §3).
KNOWN_EXTERNAL_SYSTEMS = frozenset(
    {
        "http://snomed.info/sct",
        "http://hl7.org/fhir/CodeSystem/task-code",
        "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
        "http://hl7.org/fhir/us/core/CodeSystem/condition-category",
    }
)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


@functools.cache
def artifact_files() -> tuple[Path, ...]:
    """Every conformance resource file: `<Type>-<id>.json` at the top of profiles/."""
    return tuple(sorted(p for p in PROFILES.glob("*-*.json")))


@functools.cache
def artifacts() -> dict[str, dict[str, Any]]:
    """Conformance resources by canonical URL."""
    return {r["url"]: r for r in map(read_json, artifact_files())}


def of_type(resource_type: str) -> list[dict[str, Any]]:
    return [r for r in artifacts().values() if r["resourceType"] == resource_type]


def profiles() -> list[dict[str, Any]]:
    """StructureDefinitions of resources (not extensions)."""
    return [sd for sd in of_type("StructureDefinition") if sd["kind"] == "resource"]


def constraints(sd: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for e in sd["differential"]["element"] for c in e.get("constraint", [])]


@functools.cache
def expected_errors() -> dict[str, Any]:
    return read_json(EXPECTED_ERRORS)


@functools.cache
def example_files() -> tuple[Path, ...]:
    return tuple(sorted(p for p in EXAMPLES.glob("*.json") if p != EXPECTED_ERRORS))


def valid_example_files() -> list[Path]:
    return [p for p in example_files() if p.name not in expected_errors()]


def bad_example_files() -> list[Path]:
    return [p for p in example_files() if p.name in expected_errors()]


def profile_of(example: dict[str, Any]) -> dict[str, Any]:
    return artifacts()[example["meta"]["profile"][0]]


def rule_ids_of_description(description: str) -> list[str]:
    """The ids on the last line `Rule ids: A, B` (or `Rule ids: none`)."""
    last = description.rstrip().splitlines()[-1]
    assert last.startswith("Rule ids: "), last
    named = last.removeprefix("Rule ids: ")
    return [] if named == "none" else named.split(", ")


def rule_ids_of_constraint(constraint: dict[str, Any]) -> list[str]:
    found = TRAILING_RULES.search(constraint["human"])
    return found.group(1).split(", ") if found else []


@functools.cache
def catalogue_rule_ids() -> frozenset[str]:
    """Rule ids of the One Care LTS-C rule catalogue table."""
    source = next((p for p in CATALOGUE_CANDIDATES if p.exists()), None)
    assert source is not None, f"rule catalogue not found in {CATALOGUE_CANDIDATES}"
    cells = RULE_CELL.findall(source.read_text("utf-8"))
    ids = frozenset(rule for cell in cells for rule in cell.split(", "))
    assert ids, f"no rule ids in {source}"
    return ids


def all_codes(code_system: dict[str, Any]) -> set[str]:
    """Every code of a CodeSystem, nested concepts included."""

    def walk(concepts: list[dict[str, Any]]) -> set[str]:
        return {c["code"] for c in concepts} | {
            code for c in concepts for code in walk(c.get("concept", []))
        }

    return walk(code_system.get("concept", []))


def element_in_base(path: str) -> dict | None:
    """The base element of a differential path, following datatypes into their own elements."""
    definitions = load_base_r4()
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        owner = definitions.structure_definition(parts[0])
        head = ".".join(parts[:cut])
        found = next((e for e in owner["snapshot"]["element"] if e["path"] == head), None)
        if found is None:
            continue
        if cut == len(parts):
            return found
        if len(found.get("type", [])) != 1:
            return None
        datatype = found["type"][0]["code"]
        return element_in_base(".".join([datatype, *parts[cut:]]))
    return None
