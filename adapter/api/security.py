"""Authentication, scope checks, compartments and audit wired into the Flask app."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from flask import Blueprint, Flask, Response, current_app, g, request

from adapter.api.context import api, base_url
from adapter.api.formats import fhir_response
from adapter.config import Settings
from adapter.outcome import Issue, operation_outcome
from adapter.security import AccessPolicy, AuthError, Forbidden, GuardedStore, authenticate_bearer
from adapter.security.audit import Access, AuditFailure, AuditTrail
from adapter.security.authenticate import ADMIN, Authenticator

log = logging.getLogger(__name__)

SECURITY_KEY = "ltsc_security"
REALM = "ltsc-adapter"
# Routes anyone may call: discovery only, no member data.
PUBLIC_ENDPOINTS = frozenset(
    {
        "fhir_metadata.capability_statement_route",
        "fhir_smart.smart_configuration",
        "auth_server.token",
        "auth_server.jwks",
        "health.healthz",
        "health.readyz",
    }
)
ENDPOINT_INTERACTIONS = {
    "fhir_rest.read": "read",
    "fhir_rest.vread": "vread",
    "fhir_rest.create": "create",
    "fhir_rest.update": "update",
    "fhir_rest.conditional_update": "update",
    "fhir_rest.delete": "delete",
    "fhir_rest.conditional_delete": "delete",
    "fhir_patch.patch_instance": "update",
    "fhir_patch.conditional_patch": "update",
    "fhir_rest.search": "search",
    "fhir_rest.search_by_post": "search",
    "fhir_history.system_history": "history",
    "fhir_history.type_history": "history",
    "fhir_history.instance_history": "history",
    "fhir_operations.validate_type": "validate",
    "fhir_operations.validate_instance": "validate",
    "fhir_system.transaction_or_batch": "transaction",
}
SMART_CAPABILITIES = ["client-confidential-asymmetric", "permission-v2", "permission-v1"]

smart = Blueprint("fhir_smart", __name__)


class Security:
    """What the app needs to decide and record access; built once by `install`."""

    def __init__(self, settings: Settings, store: Any, write_gate: Any) -> None:
        self.enabled = settings.auth_mode != "off"
        engine = getattr(store, "engine", None)
        self.authenticator = Authenticator.from_settings(settings, engine) if self.enabled else None
        self.policy = AccessPolicy(store, settings.auth_compartment_cache_seconds)
        self.audit = AuditTrail(store, write_gate) if settings.audit_mode != "off" else None


def install(app: Flask, settings: Settings) -> None:
    """Authenticate before every request (first of all checks), audit after it."""
    ctx = api_context(app)
    security = Security(settings, ctx.store, ctx.write_gate)
    if not security.enabled:
        log.warning("ADAPTER_AUTH_MODE=off: every request is served as an administrator")
    app.extensions[SECURITY_KEY] = security
    app.before_request(authenticate)
    app.after_request(record_access)
    app.register_error_handler(AuthError, render_auth_error)


def api_context(app: Flask) -> Any:
    from adapter.api.context import EXTENSION_KEY

    return app.extensions[EXTENSION_KEY]


def security() -> Security:
    return current_app.extensions[SECURITY_KEY]


def guarded_store() -> GuardedStore:
    """The store as the current caller may use it."""
    if "guarded_store" not in g:
        raise Forbidden("The request is not authenticated")
    return g.guarded_store


def is_fhir_request() -> bool:
    """Requests under the FHIR base path; other parts of the app (web pages) guard themselves."""
    base = api().base_path
    return not base or request.path == base or request.path.startswith(base + "/")


def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS or not is_fhir_request():
        return
    sec = security()
    if sec.authenticator is None:
        principal = ADMIN
    else:
        principal = authenticate_bearer(request.headers.get("Authorization"), sec.authenticator)
    g.principal = principal
    g.guarded_store = GuardedStore(api().store, sec.policy, principal)
    interaction = ENDPOINT_INTERACTIONS.get(request.endpoint or "")
    rtype = (request.view_args or {}).get("rtype")
    if interaction in ("transaction", None):
        return  # Bundle entries are checked one by one; unknown paths answer 404
    if not sec.policy.allows(principal, interaction, rtype or "*"):
        raise Forbidden(f"The client's scopes do not allow {interaction} on {rtype or 'all types'}")


def require_scope(interaction: str, resource_type: str) -> None:
    """For routes the endpoint table doesn't know (operations): the caller's scopes must allow."""
    if not security().policy.allows(g.principal, interaction, resource_type):
        raise Forbidden(f"The client's scopes do not allow {interaction} on {resource_type}")


def require_admin() -> Response | None:
    """Guard for administration routes (outbox, partners, subscriptions): admins only."""
    sec = security()
    if sec.authenticator is None:
        g.principal = ADMIN
        return None
    try:
        principal = authenticate_bearer(request.headers.get("Authorization"), sec.authenticator)
    except AuthError as exc:
        # Answered here: the admin blueprint's own error handler knows nothing of challenges.
        return render_auth_error(exc)
    g.principal = principal
    if principal.org_kind != "admin":
        raise Forbidden("Administration routes need an administrator's token")
    return None


def render_auth_error(exc: AuthError) -> Response:
    description = exc.message.replace('"', "'")
    challenge = f'Bearer realm="{REALM}"'
    if exc.error != "invalid_request" or request.headers.get("Authorization"):
        challenge += f', error="{exc.error}", error_description="{description}"'
    return fhir_response(exc.outcome(), 401, {"WWW-Authenticate": challenge})


def record_access(response: Response) -> Response:
    if request.endpoint in PUBLIC_ENDPOINTS or security().audit is None or not is_fhir_request():
        return response
    interaction = ENDPOINT_INTERACTIONS.get(request.endpoint or "", "read")
    view_args = request.view_args or {}
    access = Access(
        interaction=interaction,
        status=response.status_code,
        resource_type=view_args.get("rtype"),
        resource_id=view_args.get("rid"),
        query=request.query_string if interaction == "search" else b"",
        address=request.remote_addr,
    )
    if (audit := security().audit) is not None:
        try:
            audit.record(g.get("principal"), access)
        except AuditFailure as exc:
            # An access that cannot be recorded is not answered: the caller may retry.
            log.error("request refused: %s", exc)
            outcome = operation_outcome([Issue("error", "transient", str(exc), ())])
            return fhir_response(outcome, 503, {"Retry-After": "1"})
    return response


@smart.get("/.well-known/smart-configuration")
def smart_configuration() -> Response:
    # A plain JSON document (not a FHIR resource), whatever format the client asked for.
    body = orjson.dumps(smart_configuration_document(security(), api().settings))
    return Response(body, mimetype="application/json")


def smart_configuration_document(sec: Security, settings: Settings) -> dict[str, Any]:
    """SMART discovery: this server's own token endpoint, or the trusted external issuer's."""
    from adapter.api.authorization import discovery

    verifier = sec.authenticator.verifier if sec.authenticator else None
    jwks = verifier.jwks.location if verifier else ""
    document: dict[str, Any] = {
        "issuer": verifier.issuer if verifier else None,
        "jwks_uri": jwks if "://" in jwks else None,
        "token_endpoint": settings.auth_token_endpoint or None,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
        "scopes_supported": scopes_supported(),
        "capabilities": SMART_CAPABILITIES,
        "fhir_base_url": base_url(),
    }
    document |= discovery(settings) if sec.authenticator else {}
    return {key: value for key, value in document.items() if value is not None}


def scopes_supported() -> list[str]:
    from adapter.api.served import RESOURCE_TYPES

    return ["system/*.cruds", "system/*.rs", *(f"system/{t}.cruds" for t in RESOURCE_TYPES)]
