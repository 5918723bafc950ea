"""From an `Authorization: Bearer` header to a Principal, with the configured issuer and clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapter.config import Settings
from adapter.errors import ConfigurationError
from adapter.security import dev_keys
from adapter.security.clients import ClientRegistry
from adapter.security.principal import AuthError, Principal
from adapter.security.scopes import split_scope_claim
from adapter.security.tokens import JwksSource, TokenVerifier

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from adapter.security.authorization_server import AuthorizationServer

AUTH_MODES = ("on", "off")


@dataclass(frozen=True)
class Authenticator:
    """The token verifier and the client registry a server trusts, and its own issuer."""

    verifier: TokenVerifier
    clients: ClientRegistry
    # This server's own authorization server (ADAPTER_AUTH_SERVER=on and a database given).
    server: AuthorizationServer | None = None

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None) -> Authenticator:
        """Configured issuer, JWKS and clients; the development issuer for any left empty;
        with `engine`, also the tokens this server issues to its registered clients."""
        if settings.auth_mode not in AUTH_MODES:
            raise ConfigurationError("ADAPTER_AUTH_MODE must be on or off")
        needs_dev = not settings.auth_jwks or not settings.auth_clients_file
        folder = dev_keys.ensure_dev_issuer(settings) if needs_dev else dev_keys.dev_dir(settings)
        jwks = settings.auth_jwks or str(folder / "jwks.json")
        issuer = settings.auth_issuer or (dev_keys.DEV_ISSUER if not settings.auth_jwks else "")
        if not issuer:
            raise ConfigurationError("ADAPTER_AUTH_ISSUER is required with ADAPTER_AUTH_JWKS")
        clients_file = settings.auth_clients_file or str(folder / "clients.yaml")
        verifier = TokenVerifier(
            jwks=JwksSource(jwks, settings.auth_jwks_cache_seconds),
            issuer=issuer,
            audience=dev_keys.audience(settings),
            leeway_seconds=settings.auth_leeway_seconds,
        )
        server = None
        if engine is not None and settings.auth_server == "on":
            from adapter.security.authorization_server import AuthorizationServer

            server = AuthorizationServer(engine, settings)
        return cls(verifier, ClientRegistry.from_file(clients_file), server)

    def principal(self, claims: dict[str, Any]) -> Principal | AuthError:
        client_id = claims.get("client_id") or claims.get("azp") or claims.get("sub")
        client = self.clients.get(client_id if isinstance(client_id, str) else None)
        if client is None:
            return AuthError("The token's client is not registered here")
        scopes = split_scope_claim(claims.get("scope"))
        if client.scopes is not None:
            scopes &= client.scopes
        return Principal(
            subject=str(claims.get("sub")),
            client_id=client.client_id,
            org_kind=client.org_kind,
            org_id=client.org_id,
            scopes=frozenset(scopes),
            staff_id=client.staff_id,
        )


def authenticate_bearer(authorization: str | None, authenticator: Authenticator) -> Principal:
    """The caller of a request with this `Authorization` header; raises AuthError (401)."""
    if not authorization:
        raise AuthError("A bearer token is required", error="invalid_request")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Use the Authorization: Bearer scheme", error="invalid_request")
    token = token.strip()
    own = authenticator.server.issuer if authenticator.server is not None else None
    if own is not None and own.issued(token):
        claims = own.verifier.verify(token)
        if isinstance(claims, AuthError):
            raise claims
        principal = own.principal(claims)
    else:
        claims = authenticator.verifier.verify(token)
        if isinstance(claims, AuthError):
            raise claims
        principal = authenticator.principal(claims)
    if isinstance(principal, AuthError):
        raise principal
    return principal


ADMIN = Principal(
    subject="auth-off",
    client_id="auth-off",
    org_kind="admin",
    org_id="",
    scopes=frozenset({"system/*.cruds"}),
)
