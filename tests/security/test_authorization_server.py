"""The authorization server: SMART Backend Services tokens for registered clients
(client_credentials + private_key_jwt), verified by the same verifier and compartments."""

from __future__ import annotations

import json

import jwt
import pytest

from adapter.security.dev_keys import issue_dev_token
from tests.security.backend_client import BackendClient
from tests.security.conftest import MBIL_TASK, MRLC_TASK, build_world

BASE = "http://127.0.0.1:8080"
TOKEN_URL = f"{BASE}/auth/token"


def admin_headers(world) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_dev_token(world.settings, "dev-admin")}


def register(world, client: BackendClient, org_kind="cbo", org_id="MBIL", scopes=None):
    scopes = scopes or ["system/Task.rs", "system/Subscription.cruds"]
    answer = world.client().post(
        "/admin/clients",
        json=client.registration(org_kind, org_id, scopes),
        headers=admin_headers(world),
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def get_token(world, client: BackendClient, scope="system/Task.rs", **claims):
    return world.client().post("/auth/token", data=client.token_form(TOKEN_URL, scope, **claims))


@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_a_registered_client_gets_a_token_and_sees_only_its_compartment(world, alg):
    cbo = BackendClient(f"mbil-system-{alg.lower()}", alg=alg)
    register(world, cbo)
    answer = get_token(world, cbo, scope="system/Task.rs system/Patient.rs")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == world.settings.auth_token_seconds
    assert body["scope"] == "system/Task.rs"  # Patient is not among its allowed scopes
    assert answer.headers["Cache-Control"] == "no-store"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    http = world.client()
    assert http.get(f"/fhir/Task/{MBIL_TASK}", headers=headers).status_code == 200
    assert http.get(f"/fhir/Task/{MRLC_TASK}", headers=headers).status_code == 404
    assert http.get("/fhir/Patient", headers=headers).status_code == 403


def test_scopes_are_narrowed_to_the_registration(world):
    cbo = BackendClient("mbil-narrow")
    register(world, cbo, scopes=["system/Task.rs"])
    body = get_token(world, cbo, scope="system/*.cruds launch/patient").get_json()
    assert body["scope"] == "system/Task.rs"


def oauth_error(answer) -> tuple[int, str]:
    assert answer.mimetype == "application/json"
    return answer.status_code, answer.get_json()["error"]


def test_bad_token_requests_get_oauth_errors_never_500(world):
    cbo = BackendClient("mbil-errors")
    register(world, cbo)
    stranger = BackendClient("not-registered")
    impostor = BackendClient("mbil-errors", kid=cbo.kid)  # right id and kid, wrong key
    http = world.client()
    assert oauth_error(get_token(world, stranger)) == (401, "invalid_client")
    assert oauth_error(get_token(world, impostor)) == (401, "invalid_client")
    assert oauth_error(get_token(world, cbo, seconds=-120)) == (401, "invalid_client")
    assert oauth_error(get_token(world, cbo, seconds=600)) == (401, "invalid_client")
    assert oauth_error(get_token(world, cbo, aud=f"{BASE}/other")) == (401, "invalid_client")
    assert oauth_error(get_token(world, cbo, scope="system/Patient.rs")) == (400, "invalid_scope")
    form = cbo.token_form(TOKEN_URL, "system/Task.rs")
    assert oauth_error(http.post("/auth/token", data={**form, "grant_type": "password"})) == (
        400,
        "unsupported_grant_type",
    )
    assert oauth_error(http.post("/auth/token", json=form)) == (400, "invalid_request")
    garbage = {**form, "client_assertion": "not.a.jwt"}
    assert oauth_error(http.post("/auth/token", data=garbage)) == (400, "invalid_request")


def test_a_replayed_assertion_is_refused(world):
    cbo = BackendClient("mbil-replay")
    register(world, cbo)
    form = cbo.token_form(TOKEN_URL, "system/Task.rs")
    assert world.client().post("/auth/token", data=form).status_code == 200
    replay = world.client().post("/auth/token", data=form)
    assert oauth_error(replay) == (401, "invalid_client")
    assert "jti" in replay.get_json()["error_description"]


def test_a_disabled_client_gets_no_token_and_its_tokens_stop_working(world):
    cbo = BackendClient("mbil-disabled")
    register(world, cbo)
    token = get_token(world, cbo).get_json()["access_token"]
    http = world.client()
    answer = http.post("/admin/clients/mbil-disabled/$disable", headers=admin_headers(world))
    assert answer.get_json()["status"] == "disabled"
    assert oauth_error(get_token(world, cbo)) == (401, "invalid_client")
    read = http.get(f"/fhir/Task/{MBIL_TASK}", headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 401


def test_registration_is_for_administrators_and_checked(world):
    cbo = BackendClient("mbil-reg")
    http = world.client()
    plan_token = issue_dev_token(world.settings, "dev-plan")
    entry = cbo.registration("cbo", "MBIL", ["system/Task.rs"])
    refused = http.post(
        "/admin/clients", json=entry, headers={"Authorization": f"Bearer {plan_token}"}
    )
    assert refused.status_code == 403
    bad = http.post(
        "/admin/clients",
        json={**entry, "scopes": ["patient/Task.rs"]},
        headers=admin_headers(world),
    )
    assert bad.status_code == 400
    assert bad.get_json()["issue"][0]["expression"] == ["scopes"]
    private = {"keys": [{**cbo.jwks()["keys"][0], "d": "secret"}]}
    leaked = http.post(
        "/admin/clients", json={**entry, "jwks": private}, headers=admin_headers(world)
    )
    assert leaked.status_code == 400
    register(world, cbo)
    again = http.post("/admin/clients", json=entry, headers=admin_headers(world))
    assert again.status_code == 409


def test_discovery_names_the_token_endpoint_and_keys(world):
    http = world.client()
    config = http.get("/fhir/.well-known/smart-configuration").get_json()
    assert config["token_endpoint"] == TOKEN_URL
    assert config["jwks_uri"] == f"{BASE}/auth/jwks"
    assert config["issuer"] == f"{BASE}/auth"
    assert "private_key_jwt" in config["token_endpoint_auth_methods_supported"]
    assert "client_credentials" in config["grant_types_supported"]
    security = http.get("/fhir/metadata").get_json()["rest"][0]["security"]
    [oauth] = security["extension"]
    assert oauth["url"].endswith("/oauth-uris")
    assert oauth["extension"] == [{"url": "token", "valueUri": TOKEN_URL}]


def test_rotated_keys_keep_earlier_tokens_valid_and_are_published(world):
    cbo = BackendClient("mbil-rotate")
    register(world, cbo)
    http = world.client()
    before = get_token(world, cbo).get_json()["access_token"]
    old_kids = {k["kid"] for k in http.get("/auth/jwks").get_json()["keys"]}
    rotated = http.post("/admin/clients/$rotate-key", headers=admin_headers(world)).get_json()
    keys = http.get("/auth/jwks").get_json()["keys"]
    assert keys[0]["kid"] == rotated["kid"]
    assert old_kids <= {k["kid"] for k in keys}
    assert all("d" not in k for k in keys)
    after = get_token(world, cbo).get_json()["access_token"]
    for token in (before, after):
        read = http.get(f"/fhir/Task/{MBIL_TASK}", headers={"Authorization": f"Bearer {token}"})
        assert read.status_code == 200


def test_hostile_assertions_are_oauth_errors(world):
    cbo = BackendClient("mbil-hostile")
    register(world, cbo)
    http = world.client()
    unsigned = jwt.encode({"iss": cbo.client_id, "sub": cbo.client_id}, None, algorithm="none")
    hmac = jwt.encode({"iss": cbo.client_id, "sub": cbo.client_id}, "k" * 48, algorithm="HS384")
    claims = {"iss": 12, "sub": 12, "aud": TOKEN_URL, "exp": 1, "jti": "x"}
    numeric = jwt.PyJWS().encode(
        json.dumps(claims).encode(), cbo.private_key, algorithm="ES384", headers={"kid": cbo.kid}
    )
    odd_exp = cbo.assertion(TOKEN_URL, exp="tomorrow")
    odd_jti = cbo.assertion(TOKEN_URL, jti=["a", "b"])
    for assertion in (unsigned, hmac, numeric, odd_exp, odd_jti, "a" * 20_000):
        form = cbo.token_form(TOKEN_URL, "system/Task.rs") | {"client_assertion": assertion}
        status, error = oauth_error(http.post("/auth/token", data=form))
        assert status in (400, 401) and error in ("invalid_client", "invalid_request")


def test_with_the_server_off_only_the_external_issuer_is_described(tmp_path):
    off = build_world(tmp_path, auth_server="off")
    try:
        http = off.client()
        config = http.get("/fhir/.well-known/smart-configuration").get_json()
        assert "token_endpoint" not in config
        assert config["issuer"] == "urn:ltsc-adapter:dev-issuer"
        form = BackendClient("anyone").token_form(TOKEN_URL, "system/Task.rs")
        assert oauth_error(http.post("/auth/token", data=form)) == (400, "unsupported_grant_type")
        assert "extension" not in http.get("/fhir/metadata").get_json()["rest"][0]["security"]
    finally:
        off.flush_audit()
        off.store.close()
