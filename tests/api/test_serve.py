"""`ltsc-adapter serve`: the real gunicorn process on 127.0.0.1, driven by a FHIR client."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
from fhirpy import SyncFHIRClient

from adapter.api.command import load_samples
from adapter.config import Settings
from adapter.mapping.pipeline import sample_bundles
from adapter.security.dev_keys import issue_dev_token
from tests.api.resources import MEMBER_ID, patient
from tests.processes import free_port, stop, wait_until_serving


@pytest.fixture(scope="module")
def served_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **os.environ,
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_PORT": str(port),
        "ADAPTER_WORKERS": "2",
        "ADAPTER_DATABASE_URL": f"sqlite:///{tmp_path}/served.db",
        "ADAPTER_BASE_URL": f"http://127.0.0.1:{port}/fhir",
        "ADAPTER_AUTH_DEV_DIR": str(tmp_path_factory.getbasetemp() / "served-auth"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "serve", "--load-samples"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        loaded = process.stdout.readline().strip()
        assert loaded.startswith("Loaded ") and "sample members" in loaded
        announced = process.stdout.readline().strip()
        assert announced == f"FHIR base URL: http://127.0.0.1:{port}/fhir"
        base_url = announced.split(": ", 1)[1]
        wait_until_serving(f"{base_url}/metadata", process)
        yield base_url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def bearer(served_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An administrator's development token for the served API (auth is on by default)."""
    dev_dir = tmp_path_factory.getbasetemp() / "served-auth"
    settings = Settings(base_url=served_base_url, auth_dev_dir=str(dev_dir))
    return {"Authorization": f"Bearer {issue_dev_token(settings, 'dev-admin')}"}


@pytest.mark.slow
def test_served_api_works_with_a_fhir_client(served_base_url, bearer):
    client = SyncFHIRClient(served_base_url, authorization=bearer["Authorization"])
    member = client.resource("Patient", **{k: v for k, v in patient("E2E-1").items() if k != "id"})
    member.save()
    assert member.id

    fetched = client.reference("Patient", member.id).to_resource()
    assert fetched["name"][0]["family"] == "Santos"

    found = client.resources("Patient").search(identifier=f"{MEMBER_ID}|E2E-1").fetch_all()
    assert [p.id for p in found] == [member.id]

    fetched["name"] = [{"family": "Souza", "given": ["Maria"]}]
    fetched.save()
    assert client.reference("Patient", member.id).to_resource()["meta"]["versionId"] == "2"

    fetched.delete()
    gone = requests.get(f"{served_base_url}/Patient/{member.id}", headers=bearer, timeout=5)
    assert gone.status_code == 410


@pytest.mark.slow
def test_served_api_has_the_sample_members_loaded(served_base_url, bearer):
    client = SyncFHIRClient(served_base_url, authorization=bearer["Authorization"])
    plans = client.resources("CarePlan").search(_include="CarePlan:care-team").limit(5).fetch()
    assert plans
    assert all(plan["careTeam"] for plan in plans)
    assert client.resources("Patient").search().count() == len(list(sample_bundles()))


@pytest.mark.slow
def test_served_api_refuses_invalid_writes_with_an_outcome(served_base_url, bearer):
    invalid = {k: v for k, v in patient().items() if k != "gender"}
    response = requests.post(
        f"{served_base_url}/Patient",
        json=invalid,
        headers={"Content-Type": "application/fhir+json", **bearer},
        timeout=5,
    )
    assert response.status_code == 422
    assert response.json()["resourceType"] == "OperationOutcome"
    statement = requests.get(f"{served_base_url}/metadata", timeout=5).json()
    assert statement["implementation"]["url"] == served_base_url


def test_load_samples_stores_every_sample_member_with_its_plan_record(store):
    from adapter.services import MemberService

    expected = len(list(sample_bundles()))
    assert expected > 0
    assert load_samples(store) == expected
    assert store.search("Patient", [("_summary", "count")]).total == expected
    assert MemberService(store, Settings()).member_record("M100001") is not None
