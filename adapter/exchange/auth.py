"""Partner authentication: static bearer, OAuth client credentials, SMART Backend Services."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jwt
import requests

from adapter.errors import ConfigurationError
from adapter.exchange.partners import AuthConfig, Partner

# SMART Backend Services caps a client assertion's lifetime at five minutes.
ASSERTION_LIFETIME_S = 300
# Renew a little early so a token never expires between our check and the partner's.
EXPIRY_MARGIN_S = 30
# When the token endpoint does not say, assume the common five-minute lifetime.
DEFAULT_TOKEN_LIFETIME_S = 300
TOKEN_TIMEOUT_S = 30


class AuthError(Exception):
    """The partner's token endpoint refused us or could not be reached."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Credentials(Protocol):
    def header(self) -> dict[str, str]: ...

    def forget(self) -> None: ...


class NoCredentials:
    def header(self) -> dict[str, str]:
        return {}

    def forget(self) -> None:
        return None


@dataclass
class StaticBearer:
    token: str

    def header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def forget(self) -> None:
        return None


class TokenCache:
    """Fetches an access token with `fetch` and keeps it until shortly before it expires."""

    def __init__(self, fetch: Callable[[], dict[str, Any]], clock: Callable[[], float]) -> None:
        self.fetch = fetch
        self.clock = clock
        self.token: str | None = None
        self.expires_at = 0.0
        self.lock = threading.Lock()  # parallel deliveries share one token request

    def header(self) -> dict[str, str]:
        with self.lock:
            if self.token is None or self.clock() >= self.expires_at:
                answer = self.fetch()
                lifetime = float(answer.get("expires_in") or DEFAULT_TOKEN_LIFETIME_S)
                self.token = answer["access_token"]
                self.expires_at = self.clock() + max(lifetime - EXPIRY_MARGIN_S, 1.0)
            return {"Authorization": f"Bearer {self.token}"}

    def forget(self) -> None:
        """Drop the token: the partner answered 401, so it was revoked or rotated early."""
        self.token = None


def request_token(
    session: requests.Session, token_url: str, form: dict[str, str], **kwargs: Any
) -> dict[str, Any]:
    """POST the token request; an OAuth error answer becomes an AuthError naming the cause."""
    try:
        response = session.post(token_url, data=form, timeout=TOKEN_TIMEOUT_S, **kwargs)
    except requests.RequestException as error:
        message = f"token endpoint {token_url} unreachable: {error}"
        raise AuthError(message, retryable=True) from error
    if response.status_code != 200:
        retryable = response.status_code in (408, 429) or response.status_code >= 500
        raise AuthError(
            f"token endpoint {token_url} answered {response.status_code}: {response.text[:300]}",
            retryable=retryable,
        )
    answer = response.json()
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise AuthError(f"token endpoint {token_url} sent no access_token", retryable=False)
    return answer


def smart_token_endpoint(session: requests.Session, base_url: str) -> str:
    """The token endpoint a FHIR server advertises in `.well-known/smart-configuration`."""
    url = f"{base_url.rstrip('/')}/.well-known/smart-configuration"
    try:
        response = session.get(url, timeout=TOKEN_TIMEOUT_S, headers={"Accept": "application/json"})
        endpoint = response.json().get("token_endpoint") if response.status_code == 200 else None
    except (requests.RequestException, ValueError) as error:
        raise AuthError(f"{url} unreachable or not JSON: {error}", retryable=True) from error
    if not endpoint:
        raise AuthError(f"{url} does not advertise a token_endpoint", retryable=False)
    return endpoint


class SmartBackendServices:
    """`private_key_jwt` client assertions (RS384/ES384) exchanged for a cached access token."""

    def __init__(
        self,
        partner: Partner,
        session: requests.Session,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.partner = partner
        self.session = session
        self.clock = clock
        self.key = _read_key(partner.auth)
        self.token_url: str | None = partner.auth.token_url
        self.cache = TokenCache(self._fetch, clock)

    def header(self) -> dict[str, str]:
        return self.cache.header()

    def forget(self) -> None:
        self.cache.forget()

    def client_assertion(self, audience: str) -> str:
        auth, issued = self.partner.auth, int(self.clock())
        claims = {
            "iss": auth.client_id,
            "sub": auth.client_id,
            "aud": audience,
            "exp": issued + ASSERTION_LIFETIME_S,
            "iat": issued,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            claims, self.key, algorithm=auth.alg, headers={"kid": auth.kid, "typ": "JWT"}
        )

    def _fetch(self) -> dict[str, Any]:
        if self.token_url is None:
            self.token_url = smart_token_endpoint(self.session, self.partner.base_url)
        form = {
            "grant_type": "client_credentials",
            "scope": self.partner.auth.scope,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.client_assertion(self.token_url),
        }
        return request_token(self.session, self.token_url, form)


def _read_key(auth: AuthConfig) -> str:
    try:
        return Path(auth.private_key_file or "").read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(
            f"Cannot read the private key {auth.private_key_file}: {error}"
        ) from error


def _secret(variable: str | None, what: str) -> str:
    value = os.environ.get(variable or "")
    if not value:
        raise ConfigurationError(f"Set the environment variable {variable} to the {what}")
    return value


def create_credentials(
    partner: Partner, session: requests.Session, clock: Callable[[], float] = time.time
) -> Credentials:
    """The credentials object for a partner's configured auth kind."""
    auth = partner.auth
    if auth.kind == "bearer":
        return StaticBearer(_secret(auth.token_env, f"bearer token of {partner.id}"))
    if auth.kind == "client-credentials":
        secret = _secret(auth.client_secret_env, f"client secret of {partner.id}")
        form = {"grant_type": "client_credentials", "scope": auth.scope}
        basic = (auth.client_id or "", secret)
        token_url = auth.token_url or ""
        return TokenCache(lambda: request_token(session, token_url, form, auth=basic), clock)
    if auth.kind == "smart-backend":
        return SmartBackendServices(partner, session, clock)
    return NoCredentials()
