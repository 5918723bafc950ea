"""The CapabilityStatement, generated from what the API really serves (`GET /metadata`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from adapter import __version__, clock
from adapter.api.authorization import oauth_uris_extension
from adapter.api.conformance import conformance_capabilities, supported_profiles
from adapter.api.context import ApiContext, api, base_url
from adapter.api.formats import fhir_response
from adapter.api.patch import PATCH_FORMATS
from adapter.api.served import (
    INCLUDES,
    RESOURCE_TYPES,
    REVINCLUDES,
)
from adapter.api.subscription_routes import subscription_capability
from adapter.canonical import BASE, FHIR_VERSION

metadata = Blueprint("fhir_metadata", __name__)

TYPE_INTERACTIONS = (
    "read", "vread", "update", "patch", "delete",
    "history-instance", "history-type", "create", "search-type",
)  # fmt: skip
SYSTEM_INTERACTIONS = ("transaction", "batch", "history-system")
VALIDATE_OPERATION = {
    "name": "validate",
    "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate",
}
BULK_DATA = "http://hl7.org/fhir/uv/bulkdata"
EXPORT_OPERATION = {"name": "export", "definition": f"{BULK_DATA}/OperationDefinition/export"}
PATIENT_OPERATIONS = [
    {
        "name": "everything",
        "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
    },
    {"name": "export", "definition": f"{BULK_DATA}/OperationDefinition/patient-export"},
]
GROUP_EXPORT_NOTE = (
    "Group-level export: GET [base]/Group/plan-<plan id>/$export or Group/cbo-<cbo id>/$export "
    "exports an organization's members (the caller's own organization; any for administrators)."
)
SEARCH_NOTE = (
    "Chained parameters (e.g. Task?owner:Organization.identifier=...) and reverse chains "
    "(_has:Type:reference:param=...) are supported on reference parameters, each hop within the "
    "caller's compartment; _include and _revinclude accept :iterate; _summary (true, text, data, "
    "count, false), _elements, _total (none, estimate, accurate), _sort on several keys, _count "
    "and _offset. Unknown parameters or modifiers are refused with 400 under "
    "Prefer: handling=strict and reported in the Bundle's OperationOutcome otherwise."
)
# Modifiers the store answers per parameter type (adapter/store/query.py).
MODIFIER_NOTES = {
    "token": "modifiers: :not, :missing, :text",
    "string": "modifiers: :exact, :contains, :missing",
    "reference": "modifiers: :[type], :missing; chaining",
    "uri": "modifiers: :above, :below, :missing",
    "date": "modifiers: :missing; prefixes eq ne gt lt ge le sa eb ap",
}


@metadata.get("/metadata")
def capability_statement_route() -> Response:
    return fhir_response(capability_statement(api(), base_url()))


def capability_statement(ctx: ApiContext, implementation_url: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "url": f"{BASE}/CapabilityStatement/ltsc-adapter-server",
        "name": "LtscAdapterServer",
        "title": "LTS-C FHIR Adapter server",
        "status": "active",
        "date": clock.today().isoformat(),
        "kind": "instance",
        "software": {"name": "ltsc-adapter", "version": __version__},
        "implementation": {"description": "LTS-C FHIR Adapter", "url": implementation_url},
        "fhirVersion": FHIR_VERSION,
        "format": formats(ctx),
        "instantiates": [f"{BULK_DATA}/CapabilityStatement/bulk-data"],
        "patchFormat": list(PATCH_FORMATS),
        "rest": [rest_capabilities(ctx)],
    }


def formats(ctx: ApiContext) -> list[str]:
    served = ["application/fhir+json", "json"]
    if ctx.xml is not None:
        served += ["application/fhir+xml", "xml"]
    return served


def rest_capabilities(ctx: ApiContext) -> dict[str, Any]:
    return {
        "mode": "server",
        "documentation": " ".join(
            (_validation_note(ctx.settings.validation_mode), SEARCH_NOTE, GROUP_EXPORT_NOTE)
        ),
        "security": {
            **oauth_uris_extension(ctx.settings),
            "cors": False,
            "service": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                            "code": "SMART-on-FHIR",
                        }
                    ]
                }
            ],
            "description": _security_note(ctx.settings.auth_mode),
        },
        "resource": [
            *(resource_capabilities(ctx, t) for t in RESOURCE_TYPES),
            subscription_capability(),
            *conformance_capabilities(),
        ],
        "interaction": [{"code": code} for code in SYSTEM_INTERACTIONS],
        "operation": [VALIDATE_OPERATION, EXPORT_OPERATION],
    }


def _security_note(auth_mode: str) -> str:
    if auth_mode == "off":
        return "Authentication is OFF on this server: every caller is served as an administrator."
    return (
        "SMART Backend Services: send an OAuth 2 bearer JWT from the trusted issuer (see "
        "/.well-known/smart-configuration). SMART v2 system scopes decide the interactions; "
        "each client sees only its organization's compartment."
    )


def _validation_note(mode: str) -> str:
    return {
        "reject": "Every write is validated against its profiles; invalid writes get 422.",
        "warn": "Every write is validated; issues are reported but the write is stored.",
        "off": "Writes are checked for structure only.",
    }[mode]


def resource_capabilities(ctx: ApiContext, resource_type: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": resource_type,
        "profile": f"http://hl7.org/fhir/StructureDefinition/{resource_type}",
        "interaction": [{"code": code} for code in TYPE_INTERACTIONS],
        "versioning": "versioned-update",
        "readHistory": True,
        "updateCreate": True,
        "conditionalCreate": True,
        "conditionalRead": "not-match",
        "conditionalUpdate": True,
        "conditionalDelete": "multiple",
        "referencePolicy": ["literal", "local"],
        "searchParam": search_parameters(resource_type),
        "operation": [
            VALIDATE_OPERATION,
            *(PATIENT_OPERATIONS if resource_type == "Patient" else []),
        ],
    }
    if profiles := supported_profiles(resource_type):
        entry["supportedProfile"] = profiles
    if includes := search_includes(resource_type):
        entry["searchInclude"] = includes
    if revincludes := search_revincludes(resource_type):
        entry["searchRevInclude"] = revincludes
    return entry


def search_parameters(resource_type: str) -> list[dict[str, Any]]:
    """The parameters the store answers for the type, with their R4 definitions and modifiers."""
    from adapter.store import supported_search_params

    declared = []
    for param in supported_search_params(resource_type):
        note = MODIFIER_NOTES.get(param["type"])
        text = param.get("documentation", "")
        declared.append({**param, "documentation": f"{text} ({note})" if text else note})
    return declared


def search_includes(resource_type: str) -> list[str]:
    """Every reference parameter of the type (the common ones first), and `*`."""
    from adapter.store.params import search_params

    codes = [c for c, p in sorted(search_params(resource_type).items()) if p.kind == "reference"]
    common = list(INCLUDES.get(resource_type, ()))
    rest = [f"{resource_type}:{c}" for c in codes if f"{resource_type}:{c}" not in common]
    return [*common, *rest, "*"] if codes else []


def search_revincludes(resource_type: str) -> list[str]:
    """`Source:param` for every served type's reference parameter that may point here."""
    from adapter.store.params import search_params

    found = list(REVINCLUDES.get(resource_type, ()))
    for source in RESOURCE_TYPES:
        for code, param in sorted(search_params(source).items()):
            spec = f"{source}:{code}"
            pointing = param.kind == "reference" and (
                not param.targets or resource_type in param.targets
            )
            if pointing and spec not in found:
                found.append(spec)
    return found
