"""Routes of the authorization server: `POST /auth/token`, `GET /auth/jwks`, and the
administrators' client registry at `/admin/clients`."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from flask import Blueprint, Flask, Response, request
from sqlalchemy.exc import SQLAlchemyError

from adapter.api import security
from adapter.config import Settings
from adapter.errors import AdapterError, InvalidRequest, NotFound
from adapter.security.authorization_server import (
    AuthorizationServer,
    OAuthError,
    issuer_url,
    jwks_url,
    token_url,
)
from adapter.security.client_store import ACTIVE, DISABLED, check_registration

log = logging.getLogger(__name__)

OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
PUBLIC_ENDPOINTS = ("auth_server.token", "auth_server.jwks")

auth_server = Blueprint("auth_server", __name__, url_prefix="/auth")
clients_admin = Blueprint("auth_clients_admin", __name__, url_prefix="/admin/clients")


def register_authorization_server(app: Flask) -> None:
    """The token and JWKS routes (public) and the client registry (administrators only)."""
    app.register_blueprint(auth_server)
    app.before_request_funcs.setdefault(clients_admin.name, []).append(security.require_admin)
    app.register_blueprint(clients_admin)


def _server() -> AuthorizationServer:
    authenticator = security.security().authenticator
    if authenticator is None or authenticator.server is None:
        raise OAuthError(
            "unsupported_grant_type", "This server issues no tokens (ADAPTER_AUTH_SERVER=off)"
        )
    return authenticator.server


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, mimetype="application/json")


@auth_server.errorhandler(OAuthError)
def _oauth_error(error: OAuthError) -> Response:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if error.status == 401:
        headers["WWW-Authenticate"] = f'Bearer realm="{security.REALM}", error="{error.error}"'
    return _json(error.body(), error.status, headers)


@auth_server.post("/token")
def token() -> Response:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError(
            "invalid_request", "Send the token request as a form (x-www-form-urlencoded)"
        )
    form = {key: request.form.get(key, "") for key in request.form}
    try:
        answer = _server().token(form)
    except SQLAlchemyError:
        log.exception("token request failed on the database")
        raise OAuthError("temporarily_unavailable", "Try again shortly", 503) from None
    return _json(answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@auth_server.get("/jwks")
def jwks() -> Response:
    server = _server()
    return _json(server.keys.jwks(), headers={"Cache-Control": "max-age=60"})


@clients_admin.errorhandler(AdapterError)
def _admin_error(error: AdapterError) -> Response:
    return Response(
        orjson.dumps(error.outcome()), error.http_status, mimetype="application/fhir+json"
    )


def _clients() -> Any:
    server = _server_for_admin()
    return server.clients


def _server_for_admin() -> AuthorizationServer:
    authenticator = security.security().authenticator
    if authenticator is None or authenticator.server is None:
        raise InvalidRequest("This server issues no tokens: set ADAPTER_AUTH_SERVER=on")
    return authenticator.server


@clients_admin.get("")
def list_clients() -> Response:
    return _json({"clients": [client.to_json() for client in _clients().list()]})


@clients_admin.post("")
def add_client() -> Response:
    registered = _clients().add(check_registration(request.get_json(silent=True)))
    return _json(registered.to_json(), 201)


@clients_admin.get("/<client_id>")
def read_client(client_id: str) -> Response:
    found = _clients().get(client_id)
    if found is None:
        raise NotFound(f"Client {client_id!r} is not registered")
    return _json(found.to_json())


@clients_admin.post("/<client_id>/$disable")
def disable_client(client_id: str) -> Response:
    return _json(_clients().set_status(client_id, DISABLED).to_json())


@clients_admin.post("/<client_id>/$enable")
def enable_client(client_id: str) -> Response:
    return _json(_clients().set_status(client_id, ACTIVE).to_json())


@clients_admin.post("/$rotate-key")
def rotate_key() -> Response:
    key = _server_for_admin().keys.rotate()
    return _json({"kid": key.kid, "alg": key.alg})


def discovery(settings: Settings) -> dict[str, Any]:
    """What /.well-known/smart-configuration says of this server's own token endpoint."""
    if settings.auth_mode == "off" or settings.auth_server != "on":
        return {}
    return {
        "issuer": issuer_url(settings),
        "jwks_uri": jwks_url(settings),
        "token_endpoint": token_url(settings),
    }


def oauth_uris_extension(settings: Settings) -> dict[str, Any]:
    """The CapabilityStatement's `rest.security` extension naming the token endpoint (none when
    no token endpoint is known)."""
    endpoint = discovery(settings).get("token_endpoint") or settings.auth_token_endpoint
    if not endpoint:
        return {}
    token = [{"url": "token", "valueUri": endpoint}]
    return {"extension": [{"url": OAUTH_URIS, "extension": token}]}
