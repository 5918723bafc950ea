"""The conformance resources of profiles/ and its dependencies, searchable and expandable.

`profiles/` holds our package (StructureDefinitions, ValueSets, CodeSystems, the Measure and
the CapabilityStatement); `profiles/dependencies/` the published packages they build on. Search
answers the parameters every conformance resource has (`url`, `version`, `name`, `status`,
`_id`), as HAPI FHIR and Medplum do; `$expand` enumerates a value set whose codes are held here.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapter import clock
from adapter.config import PROFILES_DIR
from adapter.errors import InvalidRequest, NotFound, Unprocessable
from adapter.validation.definitions import DEPENDENCIES, Definitions, canonical_key, load_base_r4
from adapter.validation.terminology import Terminology

CONFORMANCE_TYPES = (
    "StructureDefinition",
    "ValueSet",
    "CodeSystem",
    "SearchParameter",
    "Measure",
    "CapabilityStatement",
)
SEARCH_PARAMETERS = ("_id", "url", "version", "name", "status")
MAX_EXPANSION = 10_000


def read_resources(folder: Path) -> list[dict[str, Any]]:
    """The conformance resources of `folder/*.json` (not package.json), in file-name order."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        resource = json.loads(path.read_text("utf-8"))
        if isinstance(resource, dict) and resource.get("resourceType") in CONFORMANCE_TYPES:
            found.append(resource)
    return found


@dataclass
class Catalog:
    """Conformance resources by type and id; ours first, so an id clash keeps ours."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    own: set[tuple[str, str]] = field(default_factory=set)
    _terminology: Terminology | None = None

    def add(self, resource: dict[str, Any], *, own: bool = False) -> None:
        kind, rid = resource["resourceType"], str(resource.get("id"))
        table = self.resources.setdefault(kind, {})
        if rid not in table:
            table[rid] = resource
            if own:
                self.own.add((kind, rid))

    def own_resources(self) -> list[dict[str, Any]]:
        return [self.resources[kind][rid] for kind, rid in sorted(self.own)]

    def read(self, kind: str, rid: str) -> dict[str, Any]:
        resource = self.resources.get(kind, {}).get(rid)
        if resource is None:
            raise NotFound(f"{kind}/{rid} is not known")
        return resource

    def search(self, kind: str, params: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """Resources matching every parameter (a comma means any of); unknown ones refused."""
        found = list(self.resources.get(kind, {}).values())
        for name, value in params:
            base, _, modifier = name.partition(":")
            if base not in SEARCH_PARAMETERS or modifier not in ("", "exact", "contains"):
                allowed = ", ".join(SEARCH_PARAMETERS)
                raise InvalidRequest(f"{kind} search supports {allowed}; not {name!r}")
            wanted = [v for v in value.split(",") if v]
            found = [r for r in found if _matches(r, base, modifier, wanted)]
        return sorted(found, key=lambda r: (str(r.get("url", "")), str(r.get("id"))))

    def by_url(self, kind: str, url: str) -> dict[str, Any]:
        key, _, version = url.partition("|")
        for resource in self.resources.get(kind, {}).values():
            if resource.get("url") == key and (not version or resource.get("version") == version):
                return resource
        raise NotFound(f"No {kind} with url {url}")

    def terminology(self) -> Terminology:
        if self._terminology is None:
            definitions = load_base_r4()
            for kind in ("CodeSystem", "ValueSet"):
                definitions.add_all(self.resources.get(kind, {}).values())
            self._terminology = Terminology(definitions)
        return self._terminology

    def expand(
        self, value_set: dict[str, Any], text_filter: str | None, offset: int, count: int | None
    ) -> dict[str, Any]:
        """The value set with an `expansion` of its codes, or 422 when they are not held here."""
        expansion = self.terminology().expansion(str(value_set.get("url")))
        if expansion is None or expansion.open_systems or expansion.unknown_value_sets:
            missing = sorted(
                (expansion.open_systems | expansion.unknown_value_sets) if expansion else []
            )
            raise Unprocessable(
                f"ValueSet {value_set.get('url')} cannot be expanded here: it draws on "
                f"{', '.join(missing) or 'content'} that is not held offline"
            )
        contains = [
            _contains(system, code, display)
            for system, codes in sorted(expansion.codes.items())
            for code, display in codes.items()
            if _passes(text_filter, code, display)
        ]
        if len(contains) > MAX_EXPANSION and count is None:
            raise Unprocessable(f"The expansion has {len(contains)} codes; page it with count")
        page = contains[offset : None if count is None else offset + count]
        body = {k: v for k, v in value_set.items() if k not in ("text", "compose", "expansion")}
        body["expansion"] = {
            "identifier": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, str(value_set.get('url')))}",
            "timestamp": _timestamp(),
            "total": len(contains),
            "offset": offset,
            "parameter": _expansion_parameters(text_filter, count),
            "contains": page,
        }
        if not body["expansion"]["parameter"]:
            del body["expansion"]["parameter"]
        return body


def _matches(resource: dict[str, Any], name: str, modifier: str, wanted: list[str]) -> bool:
    value = resource.get("id" if name == "_id" else name)
    if not isinstance(value, str):
        return False
    if name in ("_id", "url", "version", "status") or modifier == "exact":
        candidates = [canonical_key(v) if name == "url" else v for v in wanted]
        return value in candidates
    lowered = value.lower()
    if modifier == "contains":
        return any(v.lower() in lowered for v in wanted)
    return any(lowered.startswith(v.lower()) for v in wanted)  # string search: starts with


def _passes(text_filter: str | None, code: str, display: str | None) -> bool:
    if not text_filter:
        return True
    needle = text_filter.lower()
    return needle in code.lower() or needle in (display or "").lower()


def _contains(system: str, code: str, display: str | None) -> dict[str, str]:
    item = {"system": system, "code": code}
    if display:
        item["display"] = display
    return item


def _expansion_parameters(text_filter: str | None, count: int | None) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    if text_filter:
        parameters.append({"name": "filter", "valueString": text_filter})
    if count is not None:
        parameters.append({"name": "count", "valueInteger": count})
    return parameters


def _timestamp() -> str:
    return clock.now().isoformat(timespec="seconds")


def catalog_from(folder: Path, extra: Iterable[dict[str, Any]] = ()) -> Catalog:
    """Ours (folder/*.json), then each dependency package, then `extra` (e.g. base definitions)."""
    catalog = Catalog()
    for resource in read_resources(folder):
        catalog.add(resource, own=True)
    dependencies = folder / DEPENDENCIES
    for package in sorted(dependencies.iterdir()) if dependencies.is_dir() else []:
        for resource in read_resources(package):
            catalog.add(resource)
    for resource in extra:
        catalog.add(resource)
    return catalog


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalog of profiles/ (read once per process)."""
    return catalog_from(PROFILES_DIR)


def base_search_parameters(definitions: Definitions, urls: Iterable[str]) -> list[dict[str, Any]]:
    """The base R4 SearchParameter definitions with these canonical URLs."""
    return [
        definitions.search_parameters[canonical_key(url)]
        for url in urls
        if canonical_key(url) in definitions.search_parameters
    ]
