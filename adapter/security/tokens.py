"""Bearer JWT verification: JWKS keys (file or URL, cached), algorithm allow-list, claims."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import requests

from adapter import clock
from adapter.security.principal import AuthError

# Asymmetric algorithms only: `none` and the HMAC family (HS*) can never verify a token here.
ALLOWED_ALGORITHMS = ("RS384", "ES384", "RS256", "ES256")
REQUIRED_CLAIMS = ("iss", "aud", "exp", "sub")
MAX_TOKEN_CHARS = 8192
JWKS_FETCH_TIMEOUT_S = 5
MAX_CACHED_TOKENS = 4096


class JwksSource:
    """Public keys by `kid` from a JWKS file or https URL, re-read after `ttl_seconds`."""

    def __init__(self, location: str, ttl_seconds: int = 300) -> None:
        self.location = location
        self.ttl_seconds = ttl_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def key(self, kid: str | None) -> jwt.PyJWK | AuthError:
        keys = self._current_keys()
        if kid is None and len(keys) == 1:
            return next(iter(keys.values()))
        if kid not in keys:
            # An unknown kid may be a rotated key: refresh once before refusing.
            keys = self._current_keys(force=True)
        found = keys.get(kid) if kid is not None else None
        return found if found is not None else AuthError("The token's signing key is not known")

    def _current_keys(self, *, force: bool = False) -> dict[str, jwt.PyJWK]:
        with self._lock:
            stale = time.monotonic() - self._loaded_at > self.ttl_seconds
            if force or stale or not self._keys:
                self._keys = _parse_jwks(self._fetch())
                self._loaded_at = time.monotonic()
            return self._keys

    def _fetch(self) -> dict[str, Any]:
        if self.location.startswith(("https://", "http://")):
            reply = requests.get(self.location, timeout=JWKS_FETCH_TIMEOUT_S)
            reply.raise_for_status()
            return reply.json()
        return json.loads(Path(self.location).read_text(encoding="utf-8"))


def _parse_jwks(document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    keys = {}
    for index, jwk in enumerate(document.get("keys") or []):
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(jwk)
        except (jwt.PyJWKError, jwt.InvalidKeyError):
            continue  # a key we cannot use must not stop the others from working
        keys[str(jwk.get("kid", index))] = key
    return keys


@dataclass(frozen=True)
class TokenVerifier:
    """Checks signature, issuer, audience, expiry and not-before of a bearer JWT."""

    jwks: JwksSource
    issuer: str
    audience: str
    leeway_seconds: int = 30

    # Verified claims by token: a client reuses its token for many requests, and checking a
    # signature costs far more than the rest of a read.
    _verified: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    def verify(self, token: str) -> dict[str, Any] | AuthError:
        """The token's claims, or the reason it is refused (never raises for a bad token)."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return AuthError("The bearer token is empty or too long")
        cached = self._verified.get(token)
        if cached is not None and self._in_time(cached):
            return cached
        claims = self._verify_signed(token)
        if isinstance(claims, dict):
            if len(self._verified) >= MAX_CACHED_TOKENS:
                self._verified.clear()
            self._verified[token] = claims
        return claims

    def _in_time(self, claims: dict[str, Any]) -> bool:
        now = clock.timestamp()
        not_before = claims.get("nbf", now)
        return claims["exp"] + self.leeway_seconds > now >= not_before - self.leeway_seconds

    def _verify_signed(self, token: str) -> dict[str, Any] | AuthError:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return AuthError("The bearer token is not a JWT")
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            return AuthError(f"Tokens signed with {str(header.get('alg'))[:20]!r} are not accepted")
        key = self._key(header.get("kid"))
        if isinstance(key, AuthError):
            return key
        claims = self._decode(token, key, header["alg"])
        if isinstance(claims, dict) and not self._in_time(claims):
            if claims["exp"] + self.leeway_seconds <= clock.timestamp():
                return AuthError("The token has expired")
            return AuthError("The token is not valid yet")
        return claims

    def _key(self, kid: Any) -> jwt.PyJWK | AuthError:
        try:
            return self.jwks.key(kid if isinstance(kid, str) else None)
        except (OSError, ValueError, requests.RequestException):
            return AuthError("The issuer's keys are not available", error="temporarily_unavailable")

    def _decode(self, token: str, key: jwt.PyJWK, alg: str) -> dict[str, Any] | AuthError:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                # Times are checked against the product clock in _in_time, not here.
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.ExpiredSignatureError:
            return AuthError("The token has expired")
        except jwt.ImmatureSignatureError:
            return AuthError("The token is not valid yet")
        except jwt.InvalidAudienceError:
            return AuthError("The token is not meant for this server")
        except jwt.InvalidIssuerError:
            return AuthError("The token comes from an issuer this server does not trust")
        except jwt.MissingRequiredClaimError as exc:
            return AuthError(f"The token lacks the {exc.claim!r} claim")
        except jwt.PyJWTError:
            return AuthError("The token's signature or claims are invalid")
