"""JWKS from a URL: fetched once, cached, fetched again for an unknown kid (key rotation)."""

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

    def add(self, kid: str) -> None:
        self.private[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def document(self) -> bytes:
        keys = []
        for kid, key in self.private.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS384"})
        return json.dumps({"keys": keys}).encode()

    def token(self, kid: str, sub: str = "c") -> str:
        now = int(clock.timestamp())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + 60}
        return jwt.encode(claims, self.private[kid], algorithm="RS384", headers={"kid": kid})


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
