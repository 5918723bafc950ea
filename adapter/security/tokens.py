"""Bearer JWT verification: JWKS keys (file or URL, cached), algorithms pinned to keys, claims."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from adapter import clock
from adapter.security.principal import AuthError

# Asymmetric algorithms only: `none` and the HMAC family (HS*) can never verify a token here.
ALLOWED_ALGORITHMS = ("RS384", "ES384", "RS256", "ES256")
REQUIRED_CLAIMS = ("iss", "aud", "exp", "sub")
MAX_TOKEN_CHARS = 8192
JWKS_FETCH_TIMEOUT_S = 5
MAX_CACHED_TOKENS = 4096
# The algorithms a key may verify when its JWK names none: by key type, and curve for EC keys.
KEY_ALGORITHMS = {
    ("RSA", None): frozenset({"RS256", "RS384"}),
    ("EC", "P-256"): frozenset({"ES256"}),
    ("EC", "P-384"): frozenset({"ES384"}),
}


def key_algorithms(jwk: dict[str, Any]) -> frozenset[str]:
    """The allowed algorithms this JWK may verify: its `alg` if named, else by `kty`/`crv`."""
    named = jwk.get("alg")
    if named is not None:
        return frozenset({named}) & frozenset(ALLOWED_ALGORITHMS)
    curve = jwk.get("crv") if jwk.get("kty") == "EC" else None
    return KEY_ALGORITHMS.get((jwk.get("kty"), curve), frozenset())


@dataclass(frozen=True)
class VerificationKey:
    """A public key and the algorithms it is pinned to."""

    key: Any
    algorithms: frozenset[str]


class JwksSource:
    """Public keys by `kid` from a JWKS file or http(s) URL, re-read after `ttl_seconds`.

    A URL is fetched and cached by PyJWT's `PyJWKClient`; a file (and the subclasses' inline and
    database documents) is read through `_fetch`. Either way the keys are chosen by this module's
    rules (`_parse_jwks`), so each key stays pinned to its own algorithms.
    """

    def __init__(self, location: str, ttl_seconds: int = 300) -> None:
        self.location = location
        self.ttl_seconds = ttl_seconds
        self._keys: dict[str, VerificationKey] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()
        self._client = _JwksClient(location, ttl_seconds) if _is_url(location) else None

    def key(self, kid: str | None) -> VerificationKey | AuthError:
        keys = self._current_keys()
        if kid is None and len(keys) == 1:
            return next(iter(keys.values()))
        if kid not in keys:
            # An unknown kid may be a rotated key: refresh once before refusing.
            keys = self._current_keys(force=True)
        found = keys.get(kid) if kid is not None else None
        return found if found is not None else AuthError("The token's signing key is not known")

    def _current_keys(self, *, force: bool = False) -> dict[str, VerificationKey]:
        with self._lock:
            if self._client is not None:
                self._keys = self._client.keys(refresh=force)
                return self._keys
            stale = time.monotonic() - self._loaded_at > self.ttl_seconds
            if force or stale or not self._keys:
                self._keys = _parse_jwks(self._fetch())
                self._loaded_at = time.monotonic()
            return self._keys

    def _fetch(self) -> dict[str, Any]:
        return json.loads(Path(self.location).read_text(encoding="utf-8"))


def _is_url(location: str) -> bool:
    return location.startswith(("https://", "http://"))


class _JwksClient(jwt.PyJWKClient):
    """PyJWKClient's fetching, timeout and JWK Set cache, read with our key rules.

    PyJWKClient parses what it fetches into PyJWK objects, which no longer say whether the JWK
    named its `alg`; the pinning rules need that, so the fetched document is kept beside them.
    """

    def __init__(self, url: str, ttl_seconds: int) -> None:
        super().__init__(
            url,
            cache_jwk_set=ttl_seconds > 0,
            lifespan=max(ttl_seconds, 1),
            timeout=JWKS_FETCH_TIMEOUT_S,
            # An unknown kid refetches at once, as a rotated key must verify straight away.
            cooldown_duration=0,
        )
        self._document: Any = None
        self._parsed: tuple[object, dict[str, VerificationKey]] = (None, {})

    def fetch_data(self) -> Any:
        document = super().fetch_data()
        self._document = document
        return document

    def keys(self, *, refresh: bool) -> dict[str, VerificationKey]:
        try:
            jwk_set = self.get_jwk_set(refresh=refresh)
        except jwt.PyJWKSetError:  # no usable key at all: every token's key is unknown
            return {}
        if self._parsed[0] is not jwk_set:  # parsed once per fetch, not once per token
            self._parsed = (jwk_set, _parse_jwks(self._document))
        return self._parsed[1]


def _parse_jwks(document: Any) -> dict[str, VerificationKey]:
    keys: dict[str, VerificationKey] = {}
    listed = document.get("keys") if isinstance(document, dict) else None
    for index, jwk in enumerate(listed if isinstance(listed, list) else []):
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
            continue
        algorithms = key_algorithms(jwk)
        if not algorithms:
            continue  # a key for an algorithm we never accept
        try:
            key = jwt.PyJWK(jwk, algorithm=sorted(algorithms)[0])
        except Exception:  # a key we cannot use must not stop the others from working
            key = None
        if key is not None:
            keys[str(jwk.get("kid", index))] = VerificationKey(key.key, algorithms)
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
        try:
            return self._verify(token)
        except Exception:  # whatever a hostile token provokes is a refusal
            return AuthError("The bearer token could not be verified")

    def _verify(self, token: str) -> dict[str, Any] | AuthError:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
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
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            return AuthError(f"Tokens signed with {str(alg)[:20]!r} are not accepted")
        key = self._key(header.get("kid"))
        if isinstance(key, AuthError):
            return key
        if alg not in key.algorithms:
            # The key decides the algorithm, never the token's header.
            return AuthError(f"The token's algorithm {alg!r} does not match its signing key")
        claims = self._decode(token, key, alg)
        if isinstance(claims, dict) and not _times_are_numbers(claims):
            return AuthError("The token's exp and nbf must be numbers")
        if isinstance(claims, dict) and not self._in_time(claims):
            if claims["exp"] + self.leeway_seconds <= clock.timestamp():
                return AuthError("The token has expired")
            return AuthError("The token is not valid yet")
        return claims

    def _key(self, kid: Any) -> VerificationKey | AuthError:
        try:
            return self.jwks.key(kid if isinstance(kid, str) else None)
        except (OSError, ValueError, jwt.PyJWKClientError):
            return AuthError("The issuer's keys are not available", error="temporarily_unavailable")

    def _decode(self, token: str, key: VerificationKey, alg: str) -> dict[str, Any] | AuthError:
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
        except (jwt.PyJWTError, ValueError, TypeError):
            return AuthError("The token's signature or claims are invalid")


def _times_are_numbers(claims: dict[str, Any]) -> bool:
    times = [claims.get("exp"), claims.get("nbf", 0)]
    return all(isinstance(t, int | float) and not isinstance(t, bool) for t in times)
