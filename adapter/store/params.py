"""Search parameters per resource type, driven by the shipped R4 SearchParameter definitions."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from adapter.store.paths import Walker, compile_expression
from adapter.validation.definitions import load_base_r4

# The types the store keeps; each gets the R4 search parameters of its definition.
SUPPORTED_TYPES = (
    "Patient",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "CareTeam",
    "CarePlan",
    "Goal",
    "Condition",
    "Task",
    "ServiceRequest",
    "Procedure",
    "Communication",
    "Consent",
    "Provenance",
    "MeasureReport",
    "AuditEvent",
    "Subscription",
    "Measure",
)
INDEXED_KINDS = ("token", "string", "reference", "date", "uri")
# Answered from the resource tables, not the index.
TABLE_PARAMS = ("_id", "_lastUpdated")


@dataclass(frozen=True)
class SearchParam:
    """One search parameter of one resource type, with its compiled value walker."""

    code: str
    kind: str
    url: str
    expression: str
    targets: tuple[str, ...]
    description: str
    walk: Walker


@functools.cache
def search_params(resource_type: str) -> dict[str, SearchParam]:
    """Search parameters the store answers for a type, by code (empty for unknown types)."""
    if resource_type not in SUPPORTED_TYPES:
        return {}
    found = {}
    for definition in load_base_r4().search_parameters_for(resource_type):
        param = _param(definition, resource_type)
        if param is not None:
            found[param.code] = param
    return found


def _param(definition: dict[str, Any], resource_type: str) -> SearchParam | None:
    code, kind = definition.get("code", ""), definition.get("type", "")
    expression = definition.get("expression") or ""
    if kind not in INDEXED_KINDS or not expression:
        return None
    return SearchParam(
        code=code,
        kind=kind,
        url=definition.get("url", ""),
        expression=expression,
        targets=tuple(definition.get("target", [])),
        description=_first_line(definition.get("description", "")),
        walk=compile_expression(expression, resource_type),
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def supported_search_params(resource_type: str) -> list[dict[str, str]]:
    """CapabilityStatement `rest.resource.searchParam` entries for a type."""
    entries = []
    for param in sorted(search_params(resource_type).values(), key=lambda p: p.code):
        entry = {"name": param.code, "definition": param.url, "type": param.kind}
        if param.description:
            entry["documentation"] = param.description
        entries.append(entry)
    return entries
