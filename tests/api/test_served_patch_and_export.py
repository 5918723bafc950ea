"""Real processes: `serve` and `worker` on 127.0.0.1; fhirpy's `.patch()` and a Bulk Data
client process (tests/bulkclient) against them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome

from adapter.config import Settings
from adapter.security.dev_keys import issue_dev_token
from tests.processes import free_port, stop, wait_until_serving

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("served-export")
    port = free_port()
    env = {
        **os.environ,
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_PORT": str(port),
        "ADAPTER_WORKERS": "2",
        "ADAPTER_DATABASE_URL": f"sqlite:///{tmp}/served.db",
        "ADAPTER_BASE_URL": f"http://127.0.0.1:{port}/fhir",
        "ADAPTER_AUTH_DEV_DIR": str(tmp / "auth"),
        "ADAPTER_BULK_EXPORT_DIR": str(tmp / "bulk"),
        "ADAPTER_EXCHANGE_IDLE_SECONDS": "1",
    }
    log = tmp / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "adapter.cli", "serve", "--load-samples"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    worker = None
    try:
        base_url = f"http://127.0.0.1:{port}/fhir"
        wait_until_serving(f"{base_url}/metadata", server, log=log)
        worker = subprocess.Popen(
            [sys.executable, "-m", "adapter.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        yield base_url, tmp
    finally:
        if worker is not None:
            stop(worker)
        stop(server, log=log)


def token(base_url: str, tmp: Path, client_id: str) -> str:
    settings = Settings(base_url=base_url, auth_dev_dir=str(tmp / "auth"))
    return issue_dev_token(settings, client_id)


@pytest.mark.slow
def test_fhirpy_patch_works_and_keeps_the_task_state_machine(served):
    base_url, tmp = served
    bearer = f"Bearer {token(base_url, tmp, 'dev-plan')}"
    client = SyncFHIRClient(base_url, authorization=bearer)
    patient = client.resources("Patient").first()
    patched = client.patch("Patient", patient.id, active=False)
    assert patched["active"] is False
    assert patched["meta"]["versionId"] == str(int(patient["meta"]["versionId"]) + 1)
    assert client.reference("Patient", patient.id).to_resource()["active"] is False
    resource = client.reference("Patient", patient.id).to_resource()
    resource.patch(gender="other")  # the resource-level form sends only the named fields
    assert client.reference("Patient", patient.id).to_resource()["gender"] == "other"

    task = client.resources("Task").search(status="completed").first()
    with pytest.raises(OperationOutcome) as refused:
        client.patch("Task", task.id, status="requested")  # completed is final
    assert '"severity": "error"' in str(refused.value)
    assert client.reference("Task", task.id).to_resource()["status"] == "completed"


@pytest.mark.slow
def test_bulk_data_client_process_exports_the_compartment(served):
    base_url, tmp = served
    plan_token = token(base_url, tmp, "dev-plan")
    out = tmp / "client-out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bulkclient",
            base_url,
            "--token",
            plan_token,
            "--out",
            str(out),
            "--path",
            "Patient/$export",
            "--param",
            "_type=Patient,Task",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)["counts"]
    headers = {"Authorization": f"Bearer {plan_token}"}
    for resource_type in ("Patient", "Task"):
        total = requests.get(
            f"{base_url}/{resource_type}?_summary=count", headers=headers, timeout=30
        ).json()["total"]
        assert counts[resource_type] == total > 0

    cbo_token = token(base_url, tmp, "dev-cbo-mbil")
    cbo = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bulkclient",
            base_url,
            "--token",
            cbo_token,
            "--out",
            str(tmp / "cbo-out"),
            "--param",
            "_type=Patient",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert cbo.returncode == 0, cbo.stderr
    cbo_headers = {"Authorization": f"Bearer {cbo_token}"}
    visible = requests.get(
        f"{base_url}/Patient?_summary=count", headers=cbo_headers, timeout=30
    ).json()["total"]
    assert json.loads(cbo.stdout)["counts"].get("Patient", 0) == visible
    assert visible < counts["Patient"]
