"""An index of FHIR conformance resources: base R4 definitions plus any loaded profiles/IGs.

The base R4 subset lives in `adapter/validation/r4/` (extracted by
`scripts/extract_r4_definitions.py`; source and licence in that folder's README.md).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

R4_DIR = Path(__file__).resolve().parent / "r4"
FHIR_BASE = "http://hl7.org/fhir/StructureDefinition/"
INDEXED_TYPES = ("StructureDefinition", "ValueSet", "CodeSystem", "SearchParameter")


def canonical_key(url: str) -> str:
    """A canonical URL without its `|version` suffix."""
    return url.split("|", 1)[0]


@dataclass
class Definitions:
    """Conformance resources indexed by canonical URL; later additions replace earlier ones."""

    structure_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    value_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    code_systems: dict[str, dict[str, Any]] = field(default_factory=dict)
    search_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, resource: dict[str, Any]) -> bool:
        """Index one conformance resource; returns False for resource types not indexed."""
        kind = resource.get("resourceType")
        url = resource.get("url")
        if kind not in INDEXED_TYPES or not url:
            return False
        table = {
            "StructureDefinition": self.structure_definitions,
            "ValueSet": self.value_sets,
            "CodeSystem": self.code_systems,
            "SearchParameter": self.search_parameters,
        }[kind]
        table[canonical_key(url)] = resource
        return True

    def add_all(self, resources: Iterable[dict[str, Any]]) -> int:
        return sum(self.add(r) for r in resources)

    def structure_definition(self, url_or_type: str) -> dict[str, Any] | None:
        """By canonical URL, or by a bare type name such as `Task` or `string`."""
        key = canonical_key(url_or_type)
        if "/" not in key:
            key = FHIR_BASE + key
        return self.structure_definitions.get(key)

    def search_parameters_for(self, resource_type: str) -> list[dict[str, Any]]:
        bases = {resource_type, "Resource", "DomainResource"}
        return [sp for sp in self.search_parameters.values() if bases & set(sp.get("base", []))]

    def copy(self) -> Definitions:
        return Definitions(
            dict(self.structure_definitions),
            dict(self.value_sets),
            dict(self.code_systems),
            dict(self.search_parameters),
        )


def _bundle_resources(path: Path) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in json.loads(path.read_text("utf-8"))["entry"]]


@functools.lru_cache(maxsize=1)
def _base_r4() -> Definitions:
    definitions = Definitions()
    for name in ("structure-definitions", "terminology", "search-parameters"):
        definitions.add_all(_bundle_resources(R4_DIR / f"{name}.json"))
    return definitions


def load_base_r4() -> Definitions:
    """A fresh index of the shipped base R4 definitions (the parsed files are cached)."""
    return _base_r4().copy()


DEPENDENCIES = "dependencies"


def load_directory(definitions: Definitions, folder: Path) -> list[str]:
    """Index every conformance resource in `folder/*.json`; returns files that could not be read.

    The packages a profile folder depends on (`folder/dependencies/<package>/*.json`) are
    indexed first, so the folder's own resources win over them.
    """
    problems = []
    dependencies = folder / DEPENDENCIES
    for package in sorted(dependencies.iterdir()) if dependencies.is_dir() else []:
        problems.extend(f"{DEPENDENCIES}/{p}" for p in load_directory(definitions, package))
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            resource = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        if isinstance(resource, dict):
            definitions.add(resource)
    return problems
