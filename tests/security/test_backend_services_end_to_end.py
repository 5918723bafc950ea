"""SMART Backend Services and FHIR Subscriptions between real processes on 127.0.0.1: the
server (`ltsc-adapter serve`), the delivery worker, the `clients` command and a subscriber."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from adapter.config import Settings
from adapter.exchange.subscriptions import PAYLOAD_CONTENT, REFERRAL_TOPIC
from adapter.security.dev_keys import issue_dev_token
from tests.exchange.processes import wait_for
from tests.processes import free_port, wait_until_serving
from tests.security.backend_client import BackendClient
from tests.security.conftest import MBIL_MEMBER, MRLC_MEMBER, cbo_task

pytestmark = pytest.mark.slow

MBIL_TASK = "e2e-task-mbil"
MRLC_TASK = "e2e-task-mrlc"
# The subscriber's endpoint is down this long. The product's retry logic is the same for any
# outage shorter than the retry budget; the test keeps it shorter than 30 s to bound its time.
OUTAGE_S = 8
MAX_ATTEMPTS = 20


class Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.base = f"{self.root}/fhir"
        self.env = {
            **os.environ,
            "ADAPTER_HOST": "127.0.0.1",
            "ADAPTER_PORT": str(self.port),
            "ADAPTER_WORKERS": "1",
            "ADAPTER_DATABASE_URL": f"sqlite:///{folder}/server.db",
            "ADAPTER_BASE_URL": self.base,
            "ADAPTER_AUTH_DEV_DIR": str(folder / "auth"),
            "ADAPTER_VALIDATION_MODE": "off",
            # The seeded Tasks name referrals this small world does not hold.
            "ADAPTER_REFERENCE_INTEGRITY": "0",
            "ADAPTER_EXCHANGE_IDLE_SECONDS": "1",
            "ADAPTER_EXCHANGE_BACKOFF_CAP_SECONDS": "1",
            "ADAPTER_EXCHANGE_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        }
        self.settings = Settings(base_url=self.base, auth_dev_dir=str(folder / "auth"))
        self.processes: list[subprocess.Popen] = []

    def start(self, *args: str, name: str) -> subprocess.Popen:
        with self.log(name).open("w") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "adapter.cli", *args],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        self.processes.append(process)
        return process

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "adapter.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def admin(self) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_dev_token(self.settings, "dev-admin")}

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backend-services")
    running = Server(folder)
    process = running.start("serve", "--load-samples", name="server")
    try:
        wait_until_serving(f"{running.base}/metadata", process, log=running.log("server"))
        for task_id, member, owner in (
            (MBIL_TASK, MBIL_MEMBER, "Organization/cbo-mbil"),
            (MRLC_TASK, MRLC_MEMBER, "PractitionerRole/role-ltsc-0016"),
        ):
            answer = requests.put(
                f"{running.base}/Task/{task_id}",
                json=cbo_task(task_id, member, owner),
                headers=running.admin(),
                timeout=30,
            )
            assert answer.status_code in (200, 201), answer.text
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def mbil(server):
    """A CBO system registered with the `clients` command and its public JWKS."""
    client = BackendClient("mbil-referrals")
    jwks_file = server.folder / "mbil-jwks.json"
    jwks_file.write_text(json.dumps(client.jwks()))
    added = server.cli(
        "clients", "add", client.client_id, "--org-kind", "cbo", "--org-id", "MBIL",
        "--scope", "system/Task.rus", "--scope", "system/Subscription.cruds",
        "--jwks", str(jwks_file),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = server.cli("clients", "list")
    assert json.loads(listed.stdout.splitlines()[0])["client_id"] == client.client_id
    return client


def token(server, client: BackendClient, scope: str) -> str:
    config = requests.get(f"{server.base}/.well-known/smart-configuration", timeout=10).json()
    form = client.token_form(config["token_endpoint"], scope)
    answer = requests.post(config["token_endpoint"], data=form, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_a_registered_client_gets_a_token_and_stays_in_its_compartment(server, mbil):
    headers = {"Authorization": "Bearer " + token(server, mbil, "system/Task.rs")}
    own = requests.get(f"{server.base}/Task/{MBIL_TASK}", headers=headers, timeout=30)
    assert own.status_code == 200
    other = requests.get(f"{server.base}/Task/{MRLC_TASK}", headers=headers, timeout=30)
    assert other.status_code == 404
    found = requests.get(f"{server.base}/Task", headers=headers, timeout=30).json()
    ids = {e["resource"]["id"] for e in found.get("entry", [])}
    assert MBIL_TASK in ids and MRLC_TASK not in ids
    patients = requests.get(f"{server.base}/Patient", headers=headers, timeout=30)
    assert patients.status_code == 403


def test_bad_assertions_get_oauth_errors(server, mbil):
    token_url = f"{server.root}/auth/token"
    form = mbil.token_form(token_url, "system/Task.rs", seconds=-300)
    answer = requests.post(token_url, data=form, timeout=30)
    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")
    denied = mbil.token_form(token_url, "system/Patient.rs")
    answer = requests.post(token_url, data=denied, timeout=30)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_scope")


def test_fhirclient_discovers_the_token_endpoint_and_authenticates(server, mbil):
    from fhirclient import client as fhirclient

    smart = fhirclient.FHIRClient(
        settings={
            "app_id": mbil.client_id,
            "api_base": server.base + "/",
            "scope": "system/Task.rs",
            "jwt_token": mbil.assertion(f"{server.root}/auth/token"),
        },
        save_func=lambda state: None,
    )
    smart.wants_patient = False
    smart.prepare()
    assert smart.server.auth.__class__.__name__ == "FHIROAuth2Auth"
    assert smart.server.auth._token_uri == f"{server.root}/auth/token"
    smart.authorize()
    task = smart.server.request_json(f"Task/{MBIL_TASK}")
    assert task["id"] == MBIL_TASK


def start_subscriber(port: int, record: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.security.subscriber_process", str(port), str(record)],
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_serving(f"http://127.0.0.1:{port}/", process, timeout_s=30)
    return process


def received(record: Path) -> list[dict]:
    if not record.exists():
        return []
    lines = record.read_text(encoding="utf-8").splitlines()
    return [json.loads(json.loads(line)["body"]) for line in lines]


def status(bundle: dict) -> dict[str, str]:
    return {
        p["name"]: p.get("valueString") or p.get("valueCode")
        for p in bundle["entry"][0]["resource"]["parameter"]
        if p["name"] in ("type", "events-since-subscription-start", "status")
    }


def test_a_subscriber_misses_no_notification_across_an_outage_then_errors(server, mbil, tmp_path):
    headers = {
        "Authorization": "Bearer "
        + token(server, mbil, "system/Task.rus system/Subscription.cruds")
    }
    port, record = free_port(), tmp_path / "received.jsonl"
    subscriber = start_subscriber(port, record)
    worker = server.start("worker", name="worker")
    try:
        resource = {
            "resourceType": "Subscription",
            "status": "requested",
            "reason": "Referral status for MBIL",
            "criteria": REFERRAL_TOPIC,
            "channel": {
                "type": "rest-hook",
                "endpoint": f"http://127.0.0.1:{port}/hook",
                "payload": "application/fhir+json",
                "_payload": {"extension": [{"url": PAYLOAD_CONTENT, "valueCode": "full-resource"}]},
                "header": ["Authorization: Bearer subscriber-secret"],
            },
        }
        answer = requests.post(
            f"{server.base}/Subscription", json=resource, headers=headers, timeout=30
        )
        assert answer.status_code == 201, answer.text
        sub_url = f"{server.base}/Subscription/{answer.json()['id']}"
        wait_for(lambda: len(received(record)) == 1, 30, "the handshake")
        assert status(received(record)[0])["type"] == "handshake"
        wait_for(
            lambda: requests.get(sub_url, headers=headers, timeout=10).json()["status"] == "active",
            30,
            "activation",
        )

        task_url = f"{server.base}/Task/{MBIL_TASK}"

        # The changes come from the plan's side (an administrator here): the Task state machine
        # wants each status's facts (output, executionPeriod, statusReason) set with it.
        facts = {
            "accepted": {"output": [{"type": {"text": "assigned"}, "valueString": "LTS-C named"}]},
            "in-progress": {"executionPeriod": {"start": "2026-11-03"}},
            "on-hold": {"statusReason": {"text": "Member in hospital"}},
            "completed": {"executionPeriod": {"start": "2026-11-03", "end": "2026-11-20"}},
        }

        def move(to: str) -> None:
            current = requests.get(task_url, headers=server.admin(), timeout=30).json()
            changed = requests.put(
                task_url,
                json=current | facts.get(to, {}) | {"status": to},
                headers=server.admin(),
                timeout=30,
            )
            assert changed.status_code == 200, changed.text

        move("accepted")
        wait_for(lambda: len(received(record)) == 2, 30, "the first notification")
        subscriber.terminate()
        subscriber.wait(timeout=15)
        outage_started = time.monotonic()
        for to in ("in-progress", "on-hold", "in-progress"):
            move(to)
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - outage_started)))
        subscriber = start_subscriber(port, record)
        wait_for(lambda: len(received(record)) == 5, 60, "the notifications held during the outage")
        notes = received(record)[1:]
        assert [status(n)["events-since-subscription-start"] for n in notes] == ["1", "2", "3", "4"]
        assert [n["entry"][1]["resource"]["status"] for n in notes] == [
            "accepted", "in-progress", "on-hold", "in-progress",
        ]  # fmt: skip
        assert {status(n)["type"] for n in notes} == {"event-notification"}

        # The endpoint goes away for good: after the retry budget the Subscription is in error.
        subscriber.terminate()
        subscriber.wait(timeout=15)
        move("completed")
        read = lambda: requests.get(sub_url, headers=headers, timeout=10).json()  # noqa: E731
        wait_for(
            lambda: read()["status"] == "error", 240, "the Subscription to go to error", step_s=1
        )
        assert f"after {MAX_ATTEMPTS} attempt(s)" in read()["error"]
        events = requests.get(f"{sub_url}/$events", headers=headers, timeout=30).json()
        numbers = [
            part["valueString"]
            for p in events["entry"][0]["resource"]["parameter"]
            if p["name"] == "notification-event"
            for part in p["part"]
            if part["name"] == "event-number"
        ]
        assert numbers == ["1", "2", "3", "4", "5"]
    finally:
        if subscriber.poll() is None:
            subscriber.terminate()
        worker.terminate()
        worker.wait(timeout=30)
