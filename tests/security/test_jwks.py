"""JWKS from a URL (PyJWKClient): fetched once, cached, fetched again for an unknown kid (key
rotation); each key verifies only the algorithms it is pinned to."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapter import clock
from adapter.security import AuthError
from adapter.security.tokens import JwksSource, TokenVerifier

ISSUER, AUDIENCE = "https://issuer.example.org", "https://fhir.example.org/fhir"


class _Keys:
    def __init__(self) -> None:
        self.private: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        self.alg: str | None = "RS384"  # None: the JWK names no alg
        self.body: bytes | None = None  # a reply other than the keys

    def add(self, kid: str) -> None:
        self.private[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def document(self) -> bytes:
        keys = []
        for kid, key in self.private.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            named = {"alg": self.alg} if self.alg else {}
            keys.append({**jwk, "kid": kid, "use": "sig", **named})
        return self.body if self.body is not None else json.dumps({"keys": keys}).encode()

    def token(self, kid: str, sub: str = "c", alg: str = "RS384") -> str:
        now = int(clock.timestamp())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + 60}
        return jwt.encode(claims, self.private[kid], algorithm=alg, headers={"kid": kid})


@pytest.fixture
def issuer() -> Iterator[tuple[_Keys, str]]:
    keys = _Keys()
    keys.add("k1")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            keys.fetches += 1
            body = keys.document()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield keys, f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


def test_jwks_url_is_fetched_once_and_cached(issuer):
    keys, url = issuer
    verifier = TokenVerifier(JwksSource(url, ttl_seconds=300), ISSUER, AUDIENCE)
    assert isinstance(verifier.verify(keys.token("k1")), dict)
    assert isinstance(verifier.verify(keys.token("k1", sub="other")), dict)
    assert keys.fetches == 1


def test_a_rotated_key_is_found_by_fetching_again(issuer):
    keys, url = issuer
    verifier = TokenVerifier(JwksSource(url, ttl_seconds=300), ISSUER, AUDIENCE)
    assert isinstance(verifier.verify(keys.token("k1")), dict)
    keys.add("k2")
    assert isinstance(verifier.verify(keys.token("k2")), dict)
    assert keys.fetches == 2


def test_unreachable_jwks_refuses_the_token_as_a_value(issuer):
    keys, _url = issuer
    verifier = TokenVerifier(JwksSource("http://127.0.0.1:9/jwks.json"), ISSUER, AUDIENCE)
    refused = verifier.verify(keys.token("k1"))
    assert isinstance(refused, AuthError)
    assert refused.error == "temporarily_unavailable"


def test_a_key_named_rs384_refuses_an_rs256_token_signed_by_it(issuer):
    keys, url = issuer
    verifier = TokenVerifier(JwksSource(url), ISSUER, AUDIENCE)
    refused = verifier.verify(keys.token("k1", alg="RS256"))
    assert isinstance(refused, AuthError)
    assert refused.error == "invalid_token"
    assert "does not match its signing key" in refused.message


def test_an_rsa_key_without_alg_verifies_rs256_and_rs384_only(issuer):
    keys, url = issuer
    keys.alg = None
    verifier = TokenVerifier(JwksSource(url), ISSUER, AUDIENCE)
    assert isinstance(verifier.verify(keys.token("k1", alg="RS256")), dict)
    assert isinstance(verifier.verify(keys.token("k1", sub="x", alg="RS384")), dict)
    refused = verifier.verify(keys.token("k1", sub="y", alg="RS512"))
    assert isinstance(refused, AuthError)
    assert refused.error == "invalid_token"


def test_a_jwks_with_no_usable_key_makes_every_key_unknown(issuer):
    keys, url = issuer
    keys.body = json.dumps({"keys": [{"kty": "RSA", "kid": "k1", "n": "x"}]}).encode()
    refused = TokenVerifier(JwksSource(url), ISSUER, AUDIENCE).verify(keys.token("k1"))
    assert isinstance(refused, AuthError)
    assert refused.error == "invalid_token"
    assert "not known" in refused.message


def test_a_reply_that_is_not_a_jwks_means_the_keys_are_unavailable(issuer):
    keys, url = issuer
    keys.body = b"[1, 2]"
    refused = TokenVerifier(JwksSource(url), ISSUER, AUDIENCE).verify(keys.token("k1"))
    assert isinstance(refused, AuthError)
    assert refused.error == "temporarily_unavailable"
