"""The local development issuer: key pair, JWKS and client registry in the data dir, and tokens."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import jwt
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from adapter import clock
from adapter.config import Settings

DEV_ISSUER = "urn:ltsc-adapter:dev-issuer"
DEV_ALGORITHM = "ES384"
DEV_KID = "ltsc-dev-1"
DEFAULT_DEV_SCOPES = ("system/*.cruds",)
# One client per organization kind, acting for the sample export's plan and CBOs.
DEV_CLIENTS: dict[str, dict[str, Any]] = {
    "dev-admin": {"org_kind": "admin", "org_id": ""},
    "dev-plan": {"org_kind": "plan", "org_id": "CCA-OC"},
    "dev-ehr": {"org_kind": "ehr", "org_id": "CCA-OC"},
    "dev-auditor": {"org_kind": "auditor", "org_id": "", "scopes": ["system/AuditEvent.rs"]},
    "dev-cbo-mbil": {"org_kind": "cbo", "org_id": "MBIL"},
    "dev-cbo-mrlc": {"org_kind": "cbo", "org_id": "MRLC"},
}


def dev_dir(settings: Settings) -> Path:
    """ADAPTER_AUTH_DEV_DIR, else `dev-auth` in the data directory (never the source tree)."""
    if settings.auth_dev_dir:
        return Path(settings.auth_dev_dir)
    return settings.state_path("dev-auth")


def ensure_dev_issuer(settings: Settings) -> Path:
    """Create the key pair, JWKS and client registry once; later calls reuse them."""
    folder = dev_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    private_path = folder / "private-key.pem"
    if not private_path.exists():
        key = ec.generate_private_key(ec.SECP384R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
        jwk |= {"kid": DEV_KID, "alg": DEV_ALGORITHM, "use": "sig"}
        # The public half first: whoever sees the private key file can rely on the JWKS.
        (folder / "jwks.json").write_text(json.dumps({"keys": [jwk]}, indent=2) + "\n")
        _write_private(private_path, key)
    clients_path = folder / "clients.yaml"
    if not clients_path.exists():
        clients_path.write_text(yaml.safe_dump({"clients": DEV_CLIENTS}, sort_keys=False))
    return folder


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Owner-only from the first byte: the key never exists world-readable.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def issue_dev_token(
    settings: Settings,
    client_id: str,
    scopes: list[str] | tuple[str, ...] = DEFAULT_DEV_SCOPES,
    minutes: int = 60,
    **extra_claims: Any,
) -> str:
    """A token from the development issuer for `client_id`, valid for `minutes`."""
    folder = ensure_dev_issuer(settings)
    key = serialization.load_pem_private_key((folder / "private-key.pem").read_bytes(), None)
    now = int(clock.timestamp())
    claims = {
        "iss": DEV_ISSUER,
        "sub": client_id,
        "client_id": client_id,
        "aud": audience(settings),
        "iat": now,
        "nbf": now,
        "exp": now + minutes * 60,
        "jti": str(uuid.uuid4()),
        "scope": " ".join(scopes),
    } | extra_claims
    return jwt.encode(claims, key, algorithm=DEV_ALGORITHM, headers={"kid": DEV_KID})


def audience(settings: Settings) -> str:
    return settings.auth_audience or settings.base_url
