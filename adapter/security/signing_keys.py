"""The authorization server's own signing keys: kept in the database, rotated by an admin.

The newest key signs new tokens; the previous one stays published in the JWKS so tokens it
signed keep verifying until they expire. Verifiers in other processes see a rotation at once:
an unknown `kid` makes `JwksSource` read the keys again.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Engine, delete, insert, select

from adapter import clock
from adapter.security.tokens import JwksSource
from adapter.store.database import WRITE_OPTION
from adapter.store.schema import auth_signing_keys

SIGNING_ALGORITHM = "ES384"
# The signing key and the one before it: enough for every unexpired token after a rotation.
PUBLISHED_KEYS = 2


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    private_pem: str
    public_jwk: dict[str, Any]

    def private_key(self) -> Any:
        return serialization.load_pem_private_key(self.private_pem.encode(), None)


def _new_key() -> SigningKey:
    private = ec.generate_private_key(ec.SECP384R1())
    kid = f"ltsc-{uuid.uuid4().hex[:16]}"
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    public |= {"kid": kid, "alg": SIGNING_ALGORITHM, "use": "sig"}
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SigningKey(kid, SIGNING_ALGORITHM, pem, public)


def _row_key(row: Any) -> SigningKey:
    return SigningKey(row.kid, row.alg, row.private_pem, json.loads(row.public_jwk))


class SigningKeys:
    """The keys in the `auth_signing_key` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def published(self) -> list[SigningKey]:
        """Newest first: the signing key, then the previous one."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(auth_signing_keys)
                .order_by(auth_signing_keys.c.created_at.desc(), auth_signing_keys.c.kid)
                .limit(PUBLISHED_KEYS)
            ).all()
        return [_row_key(row) for row in rows]

    def current(self) -> SigningKey:
        """The key that signs; made on first use."""
        found = self.published()
        return found[0] if found else self.rotate()

    def rotate(self) -> SigningKey:
        """A new signing key; keys older than the previous one are no longer published."""
        key = _new_key()
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                conn.execute(
                    insert(auth_signing_keys).values(
                        kid=key.kid,
                        alg=key.alg,
                        private_pem=key.private_pem,
                        public_jwk=json.dumps(key.public_jwk),
                        created_at=clock.utcnow_naive(),
                    )
                )
                kept = select(auth_signing_keys.c.kid).order_by(
                    auth_signing_keys.c.created_at.desc(), auth_signing_keys.c.kid
                )
                keep = [row.kid for row in conn.execute(kept.limit(PUBLISHED_KEYS))]
                conn.execute(delete(auth_signing_keys).where(auth_signing_keys.c.kid.not_in(keep)))
        return key

    def jwks(self) -> dict[str, Any]:
        """The public JWKS served at the `jwks_uri`."""
        keys = self.published() or [self.current()]
        return {"keys": [key.public_jwk for key in keys]}


class OwnKeysSource(JwksSource):
    """The verifier's view of our own keys: read from the database instead of a file or URL."""

    def __init__(self, keys: SigningKeys, ttl_seconds: int = 300) -> None:
        super().__init__("database:auth_signing_key", ttl_seconds)
        self.signing_keys = keys

    def _fetch(self) -> dict[str, Any]:
        return self.signing_keys.jwks()
