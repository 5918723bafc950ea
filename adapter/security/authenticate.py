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

    # The external (or development) issuer's tokens; None = only this server's own tokens.
    verifier: TokenVerifier | None
    clients: ClientRegistry
    # This server's own authorization server (ADAPTER_AUTH_SERVER=on and a database given).
    server: AuthorizationServer | None = None

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None) -> Authenticator:
        """Configured issuer, JWKS and clients; the development issuer for any left empty;
        with `engine`, also the tokens this server issues to its registered clients."""
        if settings.auth_mode not in AUTH_MODES:
            raise ConfigurationError("ADAPTER_AUTH_MODE must be on or off")
        if settings.auth_dev_issuer == "off" and not settings.auth_jwks:
            # Only the tokens of this server's own /auth/token; no development key, no files.
            clients = settings.auth_clients_file
            registry = ClientRegistry.from_file(clients) if clients else ClientRegistry({})
            return cls(None, registry, cls._own_server(settings, engine))
        needs_dev = uses_dev_issuer(settings)
        folder = dev_keys.ensure_dev_issuer(settings) if needs_dev else dev_keys.dev_dir(settings)
        jwks = settings.auth_jwks or str(folder / "jwks.json")
        issuer = settings.auth_issuer or (dev_keys.DEV_ISSUER if not settings.auth_jwks else "")
        if not issuer:
            raise ConfigurationError("ADAPTER_AUTH_ISSUER is required with ADAPTER_AUTH_JWKS")
        if not settings.auth_clients_file and settings.auth_dev_issuer == "off":
            raise ConfigurationError(
                "ADAPTER_AUTH_CLIENTS_FILE is required with ADAPTER_AUTH_JWKS "
                "when ADAPTER_AUTH_DEV_ISSUER=off"
            )
        clients_file = settings.auth_clients_file or str(folder / "clients.yaml")
        verifier = TokenVerifier(
            jwks=JwksSource(jwks, settings.auth_jwks_cache_seconds),
            issuer=issuer,
            audience=dev_keys.audience(settings),
            leeway_seconds=settings.auth_leeway_seconds,
        )
        return cls(
            verifier, ClientRegistry.from_file(clients_file), cls._own_server(settings, engine)
        )

    @staticmethod
    def _own_server(settings: Settings, engine: Engine | None) -> AuthorizationServer | None:
        server = None
        if engine is not None and settings.auth_server == "on":
            from adapter.security.authorization_server import AuthorizationServer

            server = AuthorizationServer(engine, settings)
        return server

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
    elif authenticator.verifier is None:
        raise AuthError("The token was not issued by this server's /auth/token")
    else:
        claims = authenticator.verifier.verify(token)
        if isinstance(claims, AuthError):
            raise claims
        principal = authenticator.principal(claims)
    if isinstance(principal, AuthError):
        raise principal
    return principal


def uses_dev_issuer(settings: Settings) -> bool:
    """Whether the development key or clients (<data_dir>/dev-auth) stand in for settings."""
    if settings.auth_mode == "off" or settings.auth_dev_issuer == "off":
        return False
    return not settings.auth_jwks or not settings.auth_clients_file


def refuse_development_auth_beyond_loopback(settings: Settings) -> None:
    """Start-up check of `serve`: development credentials only on a loopback address."""
    if settings.is_loopback():
        return
    where = f"the server would listen on {settings.host}, beyond this machine"
    if settings.auth_mode == "off":
        raise ConfigurationError(
            f"ADAPTER_AUTH_MODE=off lets every caller in as an administrator, and {where}; "
            "use ADAPTER_AUTH_MODE=on or ADAPTER_HOST=127.0.0.1"
        )
    if uses_dev_issuer(settings):
        raise ConfigurationError(
            f"the development token key is trusted only on a loopback address, and {where}. "
            "Set ADAPTER_AUTH_DEV_ISSUER=off to accept only tokens from this server's "
            "/auth/token (clients registered with `ltsc-adapter clients add`), or "
            "ADAPTER_AUTH_JWKS, ADAPTER_AUTH_ISSUER and ADAPTER_AUTH_CLIENTS_FILE for an "
            "external issuer, or ADAPTER_HOST=127.0.0.1"
        )
    if settings.webapp_dev_login:
        raise ConfigurationError(
            f"ADAPTER_WEBAPP_DEV_LOGIN=1 is for a server on 127.0.0.1 only, and {where}; "
            "set ADAPTER_WEBAPP_USERS_FILE instead"
        )


ADMIN = Principal(
    subject="auth-off",
    client_id="auth-off",
    org_kind="admin",
    org_id="",
    scopes=frozenset({"system/*.cruds"}),
)
