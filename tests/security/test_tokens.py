"""Bearer tokens: only signed, unexpired tokens for this server from the trusted issuer pass."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from adapter import clock
from adapter.security import AuthError
from adapter.security.dev_keys import DEV_ISSUER, DEV_KID, audience, issue_dev_token
from adapter.security.scopes import parse_scope, scopes_allow
from adapter.security.tokens import JwksSource, TokenVerifier


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _get(world, token: str | None, path: str = "/fhir/Patient/mbr-m100016"):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return world.client().get(path, headers=headers)


def _claims(world, **changes) -> dict:
    now = int(clock.timestamp())
    claims = {
        "iss": DEV_ISSUER,
        "sub": "dev-plan",
        "client_id": "dev-plan",
        "aud": audience(world.settings),
        "iat": now,
        "exp": now + 300,
        "scope": "system/*.cruds",
    }
    return {**claims, **changes}


def _assert_refused(response, error: str = "invalid_token") -> None:
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="ltsc-adapter"')
    assert f'error="{error}"' in challenge
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"


def test_valid_dev_token_is_accepted(world):
    assert _get(world, issue_dev_token(world.settings, "dev-plan")).status_code == 200


def test_missing_token_gets_a_bearer_challenge_without_error_code(world):
    response = _get(world, None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ltsc-adapter"'


def test_other_authorization_scheme_is_refused(world):
    response = world.client().get("/fhir/Patient", headers={"Authorization": "Basic YTpi"})
    _assert_refused(response, "invalid_request")


def test_expired_token_is_refused(world):
    _assert_refused(_get(world, issue_dev_token(world.settings, "dev-plan", minutes=-10)))


def test_token_not_valid_yet_is_refused(world):
    later = int(clock.timestamp()) + 3600
    _assert_refused(_get(world, issue_dev_token(world.settings, "dev-plan", nbf=later)))


def test_wrong_audience_is_refused(world):
    token = issue_dev_token(world.settings, "dev-plan", aud="https://other.example.org/fhir")
    _assert_refused(_get(world, token))


def test_wrong_issuer_is_refused(world):
    token = issue_dev_token(world.settings, "dev-plan", iss="https://evil.example.org")
    _assert_refused(_get(world, token))


def test_unsigned_alg_none_token_is_refused(world):
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(world))}."
    _assert_refused(_get(world, unsigned))


def test_tampered_payload_is_refused(world):
    header, _, signature = issue_dev_token(world.settings, "dev-cbo-mbil").split(".")
    forged = _b64(_claims(world, sub="dev-admin", client_id="dev-admin"))
    _assert_refused(_get(world, f"{header}.{forged}.{signature}"))


def test_hmac_token_keyed_with_the_public_jwks_is_refused(world):
    # The classic confusion attack: the public key used as an HMAC secret, forged by hand.
    public = (Path(world.settings.auth_dev_dir) / "jwks.json").read_bytes()
    signing_input = f"{_b64({'alg': 'HS256', 'kid': DEV_KID})}.{_b64(_claims(world))}"
    mac = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    _assert_refused(_get(world, f"{signing_input}.{signature}"))


def test_token_signed_by_an_unknown_key_is_refused(world):
    stranger = ec.generate_private_key(ec.SECP384R1())
    token = jwt.encode(_claims(world), stranger, algorithm="ES384", headers={"kid": DEV_KID})
    _assert_refused(_get(world, token))


def test_token_whose_algorithm_is_not_its_keys_gets_401_not_500(world):
    # The dev key is pinned to ES384; an ES256 header is refused before any signature check.
    other_curve = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(_claims(world), other_curve, algorithm="ES256", headers={"kid": DEV_KID})
    _assert_refused(_get(world, token))


def test_token_of_an_unregistered_client_is_refused(world):
    token = issue_dev_token(world.settings, "nobody")
    _assert_refused(_get(world, token))


def test_garbage_token_is_refused(world):
    _assert_refused(_get(world, "not-a-jwt"))


def test_discovery_endpoints_need_no_token(world):
    client = world.client()
    assert client.get("/fhir/metadata").status_code == 200
    smart = client.get("/fhir/.well-known/smart-configuration")
    assert smart.status_code == 200
    config = smart.get_json()
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert "permission-v2" in config["capabilities"]
    assert "system/*.cruds" in config["scopes_supported"]


def test_capability_statement_announces_smart(world):
    security = world.client().get("/fhir/metadata").get_json()["rest"][0]["security"]
    codes = [c["code"] for s in security["service"] for c in s["coding"]]
    assert "SMART-on-FHIR" in codes


@pytest.mark.parametrize(
    ("scope", "interaction", "resource_type", "allowed"),
    [
        ("system/Task.rs", "read", "Task", True),
        ("system/Task.rs", "search", "Task", True),
        ("system/Task.rs", "update", "Task", False),
        ("system/Task.rs", "read", "Patient", False),
        ("system/*.cruds", "delete", "Consent", True),
        ("system/CarePlan.cruds", "create", "CarePlan", True),
        ("user/Patient.r", "search", "Patient", False),
        ("patient/*.read", "search", "Goal", True),
        ("system/*.write", "update", "Task", True),
        ("system/*.write", "read", "Task", False),
        ("system/Task.sr", "read", "Task", False),  # v2 letters out of order grant nothing
        ("system/Task.rs?status=ready", "read", "Task", False),
        ("openid", "read", "Task", False),
    ],
)
def test_smart_scopes_map_to_interactions(scope, interaction, resource_type, allowed):
    assert scopes_allow([scope], interaction, resource_type) is allowed


def test_v1_star_scope_grants_every_permission():
    assert parse_scope("system/*.*").permissions == frozenset("cruds")


def test_a_cached_token_is_refused_once_it_expires(world):
    folder = Path(world.settings.auth_dev_dir)
    verifier = TokenVerifier(
        JwksSource(str(folder / "jwks.json")), DEV_ISSUER, audience(world.settings), 0
    )
    with clock.pinned(clock.now()) as pinned:
        token = issue_dev_token(world.settings, "dev-plan", exp=int(clock.timestamp()) + 1)
        assert isinstance(verifier.verify(token), dict)
        pinned.advance(seconds=2)
        assert isinstance(verifier.verify(token), AuthError)
