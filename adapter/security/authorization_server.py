"""The SMART Backend Services authorization server: `client_credentials` with a
`private_key_jwt` client assertion (RS384 or ES384) in, a short-lived ES384 access token out.

    server = AuthorizationServer(engine, settings)
    server.token(form)            # the token response, or raises OAuthError (400/401)
    server.issuer.principal(claims)   # our own tokens back to a Principal (authenticate.py)

Tokens carry SMART v2 system scopes narrowed to what the client is registered for, and the
client's organization decides its compartment exactly as for an external issuer's tokens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from adapter import clock
from adapter.config import Settings
from adapter.security import dev_keys
from adapter.security.client_store import ASSERTION_ALGORITHMS, Client, ClientStore
from adapter.security.principal import AuthError, Principal
from adapter.security.scopes import parse_scope, split_scope_claim
from adapter.security.signing_keys import OwnKeysSource, SigningKeys
from adapter.security.tokens import TokenVerifier, VerificationKey
from adapter.store.database import WRITE_OPTION
from adapter.store.schema import auth_assertion_ids

GRANT_TYPE = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# SMART Backend Services: an assertion expires no more than five minutes after it is made.
MAX_ASSERTION_SECONDS = 300
MAX_ASSERTION_CHARS = 16_384
_V2_ORDER = "cruds"


class OAuthError(Exception):
    """An RFC 6749 error answer: `error` code, description and HTTP status (400 or 401)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, 401)


def server_root(settings: Settings) -> str:
    """Scheme and host of the public base URL: the authorization server lives beside /fhir."""
    parts = urlsplit(settings.base_url)
    return f"{parts.scheme}://{parts.netloc}"


def issuer_url(settings: Settings) -> str:
    return f"{server_root(settings)}/auth"


def token_url(settings: Settings) -> str:
    return f"{issuer_url(settings)}/token"


def jwks_url(settings: Settings) -> str:
    return f"{issuer_url(settings)}/jwks"


def narrow_scopes(requested: set[str] | frozenset[str], allowed: tuple[str, ...]) -> list[str]:
    """The system scopes granted: each requested scope cut down to what some allowed scope
    covers (type and permission letters); anything else (launch, openid, user/...) is dropped."""
    ceilings = [s for s in (parse_scope(a) for a in allowed) if s and s.context == "system"]
    granted: dict[str, None] = {}
    for text in sorted(requested):
        asked = parse_scope(text)
        if asked is None or asked.context != "system":
            continue
        for ceiling in ceilings:
            if asked.resource_type == "*":
                rtype = ceiling.resource_type
            elif ceiling.resource_type in ("*", asked.resource_type):
                rtype = asked.resource_type
            else:
                continue
            letters = "".join(c for c in _V2_ORDER if c in asked.permissions & ceiling.permissions)
            if letters:
                granted[f"system/{rtype}.{letters}"] = None
    return list(granted)


def _key_fits(key: VerificationKey, alg: str) -> bool:
    """The assertion's alg is one the JWK is pinned to (its `alg`, else its `kty`/`crv`)."""
    return alg in key.algorithms


@dataclass(frozen=True)
class OwnIssuer:
    """Verifies the tokens this server issued and maps them to the registered client."""

    issuer: str
    verifier: TokenVerifier
    clients: ClientStore

    def issued(self, token: str) -> bool:
        """Whether the token claims to come from us (checked for real by `verifier`)."""
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return claims.get("iss") == self.issuer

    def principal(self, claims: dict[str, Any]) -> Principal | AuthError:
        client = self.clients.get(claims.get("client_id") or claims.get("sub"))
        if client is None or not client.active:
            return AuthError("The token's client is not registered here or is disabled")
        # Narrowed again: scopes taken from the client since the token was issued are gone.
        scopes = narrow_scopes(split_scope_claim(claims.get("scope")), client.scopes)
        return Principal(
            subject=str(claims.get("sub")),
            client_id=client.client_id,
            org_kind=client.org_kind,
            org_id=client.org_id,
            scopes=frozenset(scopes),
            staff_id=client.staff_id,
        )


class AuthorizationServer:
    """Token issuance for registered clients; one per process, shared by its threads."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.token_url = token_url(settings)
        self.keys = SigningKeys(engine)
        self.clients = ClientStore(engine, settings.auth_jwks_cache_seconds)
        verifier = TokenVerifier(
            jwks=OwnKeysSource(self.keys, settings.auth_jwks_cache_seconds),
            issuer=issuer_url(settings),
            audience=dev_keys.audience(settings),
            leeway_seconds=settings.auth_leeway_seconds,
        )
        self.issuer = OwnIssuer(issuer_url(settings), verifier, self.clients)

    def token(self, form: dict[str, str]) -> dict[str, Any]:
        """The token response for a token request's form fields; raises OAuthError."""
        if form.get("grant_type") != GRANT_TYPE:
            raise OAuthError("unsupported_grant_type", f"grant_type must be {GRANT_TYPE}")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        assertion = form.get("client_assertion") or ""
        if not assertion or len(assertion) > MAX_ASSERTION_CHARS:
            raise OAuthError("invalid_request", "client_assertion is missing or too long")
        if not form.get("scope", "").strip():
            raise OAuthError("invalid_scope", "scope is required (SMART system scopes)")
        client = self._authenticate(assertion, form.get("client_id"))
        scopes = narrow_scopes(set(form["scope"].split()), client.scopes)
        if not scopes:
            raise OAuthError("invalid_scope", "None of the requested scopes is allowed")
        lifetime = self.settings.auth_token_seconds
        return {
            "access_token": self._sign(client, scopes, lifetime),
            "token_type": "bearer",
            "expires_in": lifetime,
            "scope": " ".join(scopes),
        }

    def _authenticate(self, assertion: str, client_id_field: str | None) -> Client:
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise OAuthError("invalid_request", "client_assertion is not a JWT") from None
        alg = header.get("alg")
        if alg not in ASSERTION_ALGORITHMS:
            algs = " or ".join(ASSERTION_ALGORITHMS)
            raise _invalid_client(f"client assertions are signed with {algs}")
        client_id = unverified.get("iss")
        if not isinstance(client_id, str) or unverified.get("sub") != client_id:
            raise _invalid_client("the assertion's iss and sub must both be the client_id")
        if client_id_field and client_id_field != client_id:
            raise _invalid_client("client_id differs from the assertion's issuer")
        client = self.clients.get(client_id)
        if client is None or not client.active:
            raise _invalid_client(f"client {client_id[:128]!r} is not registered or disabled")
        claims = self._verified(assertion, client, header, alg)
        self._check_times(claims)
        self._remember_jti(client.client_id, claims)
        return client

    def _verified(self, assertion: str, client: Client, header: dict, alg: str) -> dict[str, Any]:
        kid = header.get("kid")
        try:
            key = self.clients.keys(client).key(kid if isinstance(kid, str) else None)
        except (OSError, ValueError, requests.RequestException):
            raise _invalid_client("the client's JWKS URL cannot be read") from None
        if isinstance(key, AuthError):
            raise _invalid_client("the assertion's signing key is not in the client's JWKS")
        if not _key_fits(key, alg):
            raise _invalid_client("the assertion's alg does not match its key")
        try:
            return jwt.decode(
                assertion,
                key.key,
                algorithms=[alg],
                audience=self.token_url,
                issuer=client.client_id,
                options={
                    "require": ["iss", "sub", "aud", "exp", "jti"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidAudienceError:
            raise _invalid_client(f"the assertion's aud must be {self.token_url}") from None
        except jwt.MissingRequiredClaimError as exc:
            raise _invalid_client(f"the assertion lacks the {exc.claim!r} claim") from None
        except (jwt.PyJWTError, ValueError, TypeError):
            raise _invalid_client("the assertion's signature or claims are invalid") from None

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = clock.timestamp()
        leeway = self.settings.auth_leeway_seconds
        exp = claims.get("exp")
        if not isinstance(exp, int | float):
            raise _invalid_client("the assertion's exp is not a number")
        if exp + leeway <= now:
            raise _invalid_client("the assertion has expired")
        if exp - now > MAX_ASSERTION_SECONDS + leeway:
            raise _invalid_client("the assertion's exp is more than five minutes away")
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf - leeway > now:
            raise _invalid_client("the assertion is not valid yet")

    def _remember_jti(self, client_id: str, claims: dict[str, Any]) -> None:
        """Refuse a jti this client already used while its assertion could still be valid."""
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or len(jti) > 255:
            raise _invalid_client("the assertion's jti must be a string of 1 to 255 characters")
        now = clock.utcnow_naive()
        keep = timedelta(seconds=MAX_ASSERTION_SECONDS + 2 * self.settings.auth_leeway_seconds)
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    table = auth_assertion_ids
                    conn.execute(delete(table).where(table.c.expires_at < now))
                    conn.execute(
                        insert(table).values(client_id=client_id, jti=jti, expires_at=now + keep)
                    )
        except IntegrityError:
            raise _invalid_client("the assertion's jti was already used") from None

    def _sign(self, client: Client, scopes: list[str], lifetime: int) -> str:
        key = self.keys.current()
        now = int(clock.timestamp())
        claims = {
            "iss": self.issuer.issuer,
            "sub": client.client_id,
            "client_id": client.client_id,
            "aud": dev_keys.audience(self.settings),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
            "scope": " ".join(scopes),
        }
        return jwt.encode(claims, key.private_key(), algorithm=key.alg, headers={"kid": key.kid})
