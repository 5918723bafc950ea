"""Partner authentication against the test's own token endpoint: SMART Backend Services
(private_key_jwt, RS384/ES384), client credentials with a secret, and a static bearer token."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from adapter.exchange.auth import ASSERTION_LIFETIME_S, create_credentials
from adapter.exchange.listener import OutboxListener
from adapter.exchange.partners import AuthConfig, Partner, PartnerRegistry
from tests.exchange.helpers import items, worker
from tests.exchange.resources import patient
from tests.exchange.servers import MiniPartner


def key_pair(alg: str) -> tuple[str, str]:
    if alg == "RS384":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP384R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, public.decode()


def smart_partner(server: MiniPartner, key_file: Path, alg: str) -> Partner:
    auth = AuthConfig(
        kind="smart-backend",
        client_id="ltsc-adapter",
        private_key_file=str(key_file),
        kid="key-2026",
        alg=alg,
        scope="system/Patient.cu",
    )
    return Partner(id="ehr", base_url=server.fhir, resource_types=("Patient",), auth=auth)


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_smart_backend_services_token_flow(store, tmp_path, alg):
    private_pem, public_pem = key_pair(alg)
    key_file = tmp_path / "key.pem"
    key_file.write_text(private_pem)
    with MiniPartner(require_token=True, public_key=public_pem) as server:
        partner = smart_partner(server, key_file, alg)
        store.add_listener(OutboxListener(PartnerRegistry([partner])))
        for n in range(3):
            store.update("Patient", f"mbr-m{n}", patient(f"M{n}"))
        report = worker(store, partner).drain(max_rounds=5, deadline_s=30)
        assert report.delivered == 3
        assert len(server.resources) == 3
        # Discovered, then one token for all three deliveries: it is cached until expiry.
        assert server.requests[0] == ("GET", "/fhir/.well-known/smart-configuration")
        [sent] = server.assertions
    claims, header, form = sent["claims"], sent["header"], sent["form"]
    assert header == {"alg": alg, "kid": "key-2026", "typ": "JWT"}
    assert claims["iss"] == claims["sub"] == "ltsc-adapter"
    assert claims["aud"] == f"{server.url}/token"
    assert 0 < claims["exp"] - claims["iat"] <= ASSERTION_LIFETIME_S
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "system/Patient.cu"
    assert form["client_assertion_type"] == (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    )


def test_each_assertion_has_a_unique_jti_and_a_revoked_token_is_replaced(store, tmp_path):
    private_pem, public_pem = key_pair("RS384")
    key_file = tmp_path / "key.pem"
    key_file.write_text(private_pem)
    with MiniPartner(require_token=True, public_key=public_pem) as server:
        partner = smart_partner(server, key_file, "RS384")
        store.add_listener(OutboxListener(PartnerRegistry([partner])))
        store.update("Patient", "mbr-m1", patient("M1"))
        sender = worker(store, partner)
        sender.drain(max_rounds=5, deadline_s=30)
        server.tokens.clear()  # the partner revokes every token
        store.update("Patient", "mbr-m1", patient("M1", "Silva"))
        report = sender.drain(max_rounds=5, deadline_s=30)
        assert report.delivered == 1
        jtis = [a["claims"]["jti"] for a in server.assertions]
    assert len(jtis) == 2
    assert len(set(jtis)) == 2


def test_a_refused_client_assertion_dead_letters_with_the_reason(store, tmp_path):
    private_pem, _ = key_pair("RS384")
    _, other_public = key_pair("RS384")
    key_file = tmp_path / "key.pem"
    key_file.write_text(private_pem)
    with MiniPartner(require_token=True, public_key=other_public) as server:
        partner = smart_partner(server, key_file, "RS384")
        store.add_listener(OutboxListener(PartnerRegistry([partner])))
        store.update("Patient", "mbr-m1", patient("M1"))
        report = worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert report.dead == 1
    [item] = items(store)
    assert "invalid_client" in item.last_error["issue"][0]["diagnostics"]


def test_client_credentials_with_a_secret(store, monkeypatch):
    monkeypatch.setenv("TEST_PARTNER_SECRET", "s3cret")
    with MiniPartner(require_token=True) as server:
        auth = AuthConfig(
            kind="client-credentials",
            token_url=f"{server.url}/token",
            client_id="client-1",
            client_secret_env="TEST_PARTNER_SECRET",
        )
        partner = Partner(id="cbo", base_url=server.fhir, resource_types=("Patient",), auth=auth)
        store.add_listener(OutboxListener(PartnerRegistry([partner])))
        store.update("Patient", "mbr-m1", patient("M1"))
        assert worker(store, partner).drain(max_rounds=5, deadline_s=30).delivered == 1
        assert ("POST", "/token") in server.requests


def test_a_static_bearer_token_is_sent(monkeypatch):
    monkeypatch.setenv("TEST_PARTNER_TOKEN", "abc123")
    partner = Partner(
        id="v",
        base_url="http://127.0.0.1:9",
        resource_types=("Task",),
        auth=AuthConfig(kind="bearer", token_env="TEST_PARTNER_TOKEN"),
    )
    credentials = create_credentials(partner, requests.Session())
    assert credentials.header() == {"Authorization": "Bearer abc123"}


def test_a_missing_secret_names_the_variable_to_set(monkeypatch):
    monkeypatch.delenv("TEST_PARTNER_TOKEN", raising=False)
    partner = Partner(
        id="v",
        base_url="http://127.0.0.1:9",
        resource_types=("Task",),
        auth=AuthConfig(kind="bearer", token_env="TEST_PARTNER_TOKEN"),
    )
    with pytest.raises(Exception, match="TEST_PARTNER_TOKEN"):
        create_credentials(partner, requests.Session())
