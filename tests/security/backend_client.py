"""A SMART Backend Services client as a partner system runs one: its key pair, its public JWKS
and signed client assertions for the token endpoint."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from adapter import clock

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class BackendClient:
    client_id: str
    alg: str = "ES384"
    kid: str = field(default_factory=lambda: f"k-{uuid.uuid4().hex[:8]}")
    private_key: Any = None

    def __post_init__(self) -> None:
        if self.private_key is None:
            if self.alg == "RS384":
                self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            else:
                self.private_key = ec.generate_private_key(ec.SECP384R1())

    def jwks(self) -> dict[str, Any]:
        algorithm = (
            jwt.algorithms.RSAAlgorithm if self.alg == "RS384" else jwt.algorithms.ECAlgorithm
        )
        public = json.loads(algorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [public | {"kid": self.kid, "alg": self.alg, "use": "sig"}]}

    def registration(self, org_kind: str, org_id: str, scopes: list[str]) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "org_kind": org_kind,
            "org_id": org_id,
            "scopes": scopes,
            "jwks": self.jwks(),
        }

    def assertion(self, token_url: str, *, seconds: int = 240, **claims: Any) -> str:
        now = int(clock.timestamp())
        body = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": token_url,
            "exp": now + seconds,
            "jti": str(uuid.uuid4()),
        } | claims
        return jwt.encode(body, self.private_key, algorithm=self.alg, headers={"kid": self.kid})

    def token_form(self, token_url: str, scope: str, **claims: Any) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.assertion(token_url, **claims),
        }
