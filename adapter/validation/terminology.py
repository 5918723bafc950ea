"""Offline terminology: ValueSet expansions from local CodeSystems, cached as sets per canonical."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapter.validation.definitions import Definitions, canonical_key

# Well-known systems whose content is never shipped; codes from them are "cannot check offline".
EXTERNAL_SYSTEMS = frozenset(
    {
        "http://snomed.info/sct",
        "http://loinc.org",
        "http://www.ama-assn.org/go/cpt",
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "http://hl7.org/fhir/sid/icd-10-cm",
        "http://hl7.org/fhir/sid/icd-10",
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "http://hl7.org/fhir/sid/ndc",
        "http://unitsofmeasure.org",
        "urn:ietf:bcp:47",
        "urn:ietf:bcp:13",
        "urn:iso:std:iso:3166",
        "urn:iso:std:iso:4217",
        "http://nucc.org/provider-taxonomy",
        "http://hl7.org/fhir/sid/us-npi",
    }
)


@dataclass
class Expansion:
    """Codes by system; `open_systems` are included but cannot be enumerated offline."""

    codes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    open_systems: set[str] = field(default_factory=set)
    unknown_value_sets: set[str] = field(default_factory=set)

    def add(self, system: str, code: str, display: str | None) -> None:
        self.codes.setdefault(system, {})[code] = display

    def merge(self, other: Expansion) -> None:
        for system, codes in other.codes.items():
            self.codes.setdefault(system, {}).update(codes)
        self.open_systems |= other.open_systems
        self.unknown_value_sets |= other.unknown_value_sets


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of checking one code: `in_set`, `not_in_set`, `offline` or `unknown_vs`."""

    status: str
    display: str | None = None


class Terminology:
    """Expands ValueSets once and answers membership and display questions from sets."""

    def __init__(self, definitions: Definitions) -> None:
        self._definitions = definitions
        self._expansions: dict[str, Expansion | None] = {}
        self._systems: dict[str, dict[str, str | None] | None] = {}

    def expansion(self, url: str) -> Expansion | None:
        key = canonical_key(url)
        if key not in self._expansions:
            self._expansions[key] = None  # guards against include cycles
            value_set = self._definitions.value_sets.get(key)
            self._expansions[key] = self._expand(value_set) if value_set else None
        return self._expansions[key]

    def system_codes(self, system: str) -> dict[str, str | None] | None:
        """Every code of a complete local CodeSystem with its display, or None."""
        if system not in self._systems:
            cs = self._definitions.code_systems.get(system)
            complete = cs is not None and cs.get("content", "complete") == "complete"
            self._systems[system] = _flatten(cs.get("concept", [])) if complete and cs else None
        return self._systems[system]

    def check(self, url: str, system: str | None, code: str) -> CodeCheck:
        expansion = self.expansion(url)
        if expansion is None:
            return CodeCheck("unknown_vs")
        systems = [system] if system else list(expansion.codes)
        for candidate in systems:
            table = expansion.codes.get(candidate or "")
            if table is not None and code in table:
                return CodeCheck("in_set", table[code])
        if (system and system in expansion.open_systems) or (not system and expansion.open_systems):
            return CodeCheck("offline")
        if expansion.unknown_value_sets:
            return CodeCheck("unknown_vs")
        return CodeCheck("not_in_set")

    def _expand(self, value_set: dict[str, Any]) -> Expansion:
        result = Expansion()
        for contained in value_set.get("expansion", {}).get("contains", []):
            _add_contains(result, contained)
        compose = value_set.get("compose", {})
        for include in compose.get("include", []):
            result.merge(self._include(include))
        for exclude in compose.get("exclude", []):
            for concept in exclude.get("concept", []):
                result.codes.get(exclude.get("system", ""), {}).pop(concept.get("code"), None)
        return result

    def _include(self, include: dict[str, Any]) -> Expansion:
        part = Expansion()
        system = include.get("system")
        if system:
            # some published value sets write the version into the system (`url|4.0.1`)
            part.merge(self._include_system(canonical_key(system), include))
        for vs_url in include.get("valueSet", []):
            nested = self.expansion(vs_url)
            if nested is None:
                part.unknown_value_sets.add(vs_url)
            else:
                part.merge(nested)
        return part

    def _include_system(self, system: str, include: dict[str, Any]) -> Expansion:
        part = Expansion()
        known = self.system_codes(system) if system not in EXTERNAL_SYSTEMS else None
        if include.get("concept"):
            for concept in include["concept"]:
                display = concept.get("display") or (known or {}).get(concept["code"])
                part.add(system, concept["code"], display)
        elif known is not None and not include.get("filter"):
            part.codes[system] = dict(known)
        elif known is not None and _is_a_filters(include):
            part.codes[system] = _filter_is_a(self._definitions.code_systems[system], include)
        else:
            part.open_systems.add(system)
        return part


def _add_contains(result: Expansion, item: dict[str, Any]) -> None:
    if item.get("code") and item.get("system"):
        result.add(item["system"], item["code"], item.get("display"))
    for child in item.get("contains", []):
        _add_contains(result, child)


def _flatten(concepts: list[dict[str, Any]]) -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    for concept in concepts:
        table[concept["code"]] = concept.get("display")
        table.update(_flatten(concept.get("concept", [])))
    return table


def _is_a_filters(include: dict[str, Any]) -> bool:
    return all(
        f.get("property") == "concept" and f.get("op") in ("is-a", "descendent-of")
        for f in include.get("filter", [])
    )


def _filter_is_a(code_system: dict[str, Any], include: dict[str, Any]) -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    for flt in include["filter"]:
        root = _find(code_system.get("concept", []), flt.get("value"))
        if root is None:
            continue
        if flt["op"] == "is-a":
            table[root["code"]] = root.get("display")
        table.update(_flatten(root.get("concept", [])))
    return table


def _find(concepts: list[dict[str, Any]], code: str | None) -> dict[str, Any] | None:
    for concept in concepts:
        if concept.get("code") == code:
            return concept
        found = _find(concept.get("concept", []), code)
        if found is not None:
            return found
    return None
