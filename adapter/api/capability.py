"""The CapabilityStatement, generated from what the API really serves (`GET /metadata`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from adapter import __version__, clock
from adapter.api.authorization import oauth_uris_extension
from adapter.api.conformance import conformance_capabilities, supported_profiles
from adapter.api.context import ApiContext, api, base_url
from adapter.api.formats import fhir_response
from adapter.api.served import (
    INCLUDES,
    RESOURCE_TYPES,
    REVINCLUDES,
)
from adapter.api.subscription_routes import subscription_capability
from adapter.canonical import BASE, FHIR_VERSION

metadata = Blueprint("fhir_metadata", __name__)

TYPE_INTERACTIONS = (
    "read", "vread", "update", "delete",
    "history-instance", "history-type", "create", "search-type",
)  # fmt: skip
SYSTEM_INTERACTIONS = ("transaction", "batch", "history-system")
VALIDATE_OPERATION = {
    "name": "validate",
    "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate",
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
        "patchFormat": [],
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
        "documentation": _validation_note(ctx.settings.validation_mode),
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
        "operation": [VALIDATE_OPERATION],
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
        "conditionalDelete": "not-supported",
        "referencePolicy": ["literal", "local"],
        "searchParam": search_parameters(resource_type),
        "operation": [VALIDATE_OPERATION],
    }
    if profiles := supported_profiles(resource_type):
        entry["supportedProfile"] = profiles
    if includes := INCLUDES.get(resource_type):
        entry["searchInclude"] = list(includes)
    if revincludes := REVINCLUDES.get(resource_type):
        entry["searchRevInclude"] = list(revincludes)
    return entry


def search_parameters(resource_type: str) -> list[dict[str, Any]]:
    """The parameters the store answers for the type, with their R4 definitions."""
    from adapter.store import supported_search_params

    return supported_search_params(resource_type)
