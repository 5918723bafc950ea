"""Checks on a server's CapabilityStatement: version, format, types, interactions, profiles."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from adapter.testkit.results import CheckResult, failed, passed, warned

# Interactions every resource type of the scenarios needs: transactions PUT, the script reads.
TYPE_INTERACTIONS = ("read", "update")
# Search parameters (and includes) the scenario searches use, by type.
SEARCHES: dict[str, tuple[str, ...]] = {
    "Task": ("patient", "code", "owner", "status"),
    "CareTeam": ("patient",),
    "CarePlan": ("patient",),
}
INCLUDES = {"CarePlan": "CarePlan:care-team"}


def profiles_by_type(bundles: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Resource type → the profiles its resources claim in the scenario Bundles."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for bundle in bundles:
        for entry in bundle.get("entry", []):
            resource = entry["resource"]
            wanted[resource["resourceType"]].update((resource.get("meta") or {}).get("profile", []))
    return dict(wanted)


def capability_checks(statement: Any, bundles: list[dict[str, Any]]) -> list[CheckResult]:
    if not isinstance(statement, dict) or statement.get("resourceType") != "CapabilityStatement":
        return [failed("metadata", "GET /metadata did not return a CapabilityStatement")]
    rest = _server_rest(statement)
    wanted = profiles_by_type(bundles)
    results = [
        passed("metadata", "GET /metadata returned a CapabilityStatement"),
        _fhir_version(statement),
        _json_format(statement),
        _transaction(rest),
    ]
    resources = {r.get("type"): r for r in rest.get("resource") or []}
    for rtype in sorted(wanted):
        results.append(_type_interactions(rtype, resources.get(rtype)))
    for rtype in sorted(SEARCHES):
        results.append(_searches(rtype, resources.get(rtype) or {}))
    for rtype in sorted(wanted):
        results.append(_profiles(rtype, resources.get(rtype) or {}, wanted[rtype]))
    return results


def _server_rest(statement: dict[str, Any]) -> dict[str, Any]:
    rests = [r for r in statement.get("rest") or [] if r.get("mode") == "server"]
    return rests[0] if rests else {}


def _fhir_version(statement: dict[str, Any]) -> CheckResult:
    version = str(statement.get("fhirVersion", ""))
    if version.startswith("4.0."):
        return passed("capability.fhirVersion", f"FHIR {version}")
    return failed("capability.fhirVersion", f"expected FHIR 4.0.x, server declares {version!r}")


def _json_format(statement: dict[str, Any]) -> CheckResult:
    formats = [str(f) for f in statement.get("format") or []]
    if any("json" in f for f in formats):
        return passed("capability.format", "JSON is served")
    return failed("capability.format", f"JSON is not among the formats {formats}")


def _transaction(rest: dict[str, Any]) -> CheckResult:
    codes = {i.get("code") for i in rest.get("interaction") or []}
    if "transaction" in codes:
        return passed("capability.transaction", "transaction interaction declared")
    return failed(
        "capability.transaction", "the server does not declare the transaction interaction"
    )


def _type_interactions(rtype: str, resource: dict[str, Any] | None) -> CheckResult:
    name = f"capability.{rtype}"
    if resource is None:
        return failed(name, f"{rtype} is not among the server's resource types")
    codes = {i.get("code") for i in resource.get("interaction") or []}
    missing = [code for code in TYPE_INTERACTIONS if code not in codes]
    if missing:
        return failed(name, f"{rtype} lacks interactions: {', '.join(missing)}")
    return passed(name, f"{rtype}: {', '.join(TYPE_INTERACTIONS)}")


def _searches(rtype: str, resource: dict[str, Any]) -> CheckResult:
    name = f"capability.{rtype}.search"
    codes = {i.get("code") for i in resource.get("interaction") or []}
    declared = {p.get("name") for p in resource.get("searchParam") or []}
    missing = [p for p in SEARCHES[rtype] if p not in declared]
    if "search-type" not in codes:
        return failed(name, f"{rtype} cannot be searched (no search-type interaction)")
    include = INCLUDES.get(rtype)
    if include and include not in (resource.get("searchInclude") or []):
        missing.append(f"_include={include}")
    if missing:
        return warned(name, f"{rtype} does not declare {', '.join(missing)}; searched anyway")
    return passed(name, f"{rtype} declares {', '.join(SEARCHES[rtype])}")


def _profiles(rtype: str, resource: dict[str, Any], wanted: set[str]) -> CheckResult:
    name = f"capability.{rtype}.profiles"
    listed = set(resource.get("supportedProfile") or [])
    if resource.get("profile"):
        listed.add(resource["profile"])
    missing = sorted(wanted - listed)
    if missing:
        return warned(name, f"not in supportedProfile: {', '.join(missing)}")
    return passed(name, f"supportedProfile lists {len(wanted)} of our profiles")
