"""Integrity of a real 2-worker server on SQLite and PostgreSQL: audit, read-your-writes,
conditional creates, request limits and the answer for ids out of compartment."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integrity.served import Served, database, serve

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
PLAN_ORG = "Organization/plan-cca-oc"
LIMIT = 200_000
AUDIT_ROWS = "SELECT count(*) FROM resource_current WHERE res_type = 'AuditEvent'"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp(f"integrity-{request.param}")
    with (
        database(request.param, folder) as url,
        serve(url, folder, ADAPTER_MAX_REQUEST_BYTES=str(LIMIT)) as server,
    ):
        yield server


def _patient(identifier: str | None = None) -> dict:
    body: dict = {"resourceType": "Patient", "managingOrganization": {"reference": PLAN_ORG}}
    if identifier:
        body["identifier"] = [{"system": "urn:test:chaos", "value": identifier}]
    return body


def test_audit_count_equals_requests_after_nul_bytes_in_paths(served):
    """A NUL byte in a path must not take other audit events down with it (PostgreSQL)."""
    before = served.count(AUDIT_ROWS)
    plan = served.headers()
    hostile, legitimate = 33, 120

    def call(i: int) -> int:
        if i % 4 == 0 and i // 4 < hostile:
            return requests.get(f"{served.base_url}/Patient/x%00y{i}", timeout=30).status_code
        return requests.get(
            f"{served.base_url}/Patient/mbr-m100016", headers=plan, timeout=30
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(call, range(hostile + legitimate)))
    assert statuses.count(401) == hostile
    assert statuses.count(200) == legitimate
    # Each event is stored before its response is sent: no waiting needed.
    assert served.count(AUDIT_ROWS) - before == hostile + legitimate


def test_a_plan_reads_its_new_patient_at_once_in_every_worker(served):
    """Read-your-writes across workers: no compartment cache hides a committed write."""
    plan = served.headers()
    failures = []
    for _round in range(12):
        # Warm both workers' compartment caches first.
        for _ in range(4):
            requests.get(f"{served.base_url}/Patient?_count=1", headers=plan, timeout=30)
        created = requests.post(
            f"{served.base_url}/Patient", json=_patient(), headers=plan, timeout=30
        )
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        read = requests.get(f"{served.base_url}/Patient/{pid}", headers=plan, timeout=30)
        found = requests.get(f"{served.base_url}/Patient?_id={pid}", headers=plan, timeout=30)
        task = {
            "resourceType": "Task",
            "status": "requested",
            "intent": "order",
            "for": {"reference": f"Patient/{pid}"},
        }
        made = requests.post(f"{served.base_url}/Task", json=task, headers=plan, timeout=30)
        gone = requests.delete(
            f"{served.base_url}/Task/{made.json().get('id')}", headers=plan, timeout=30
        )
        outcome = (read.status_code, found.json().get("total"), made.status_code, gone.status_code)
        if outcome != (200, 1, 201, 204):
            failures.append(outcome)
    assert failures == []


@pytest.mark.parametrize("rounds", [5])
def test_concurrent_identical_conditional_creates_store_one_resource(served, rounds):
    plan = served.headers()
    for _ in range(rounds):
        value = uuid.uuid4().hex
        headers = {**plan, "If-None-Exist": f"identifier=urn:test:chaos|{value}"}

        def create(_i: int, headers=headers, value=value) -> int:
            url = f"{served.base_url}/Patient"
            return requests.post(url, json=_patient(value), headers=headers, timeout=60).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(create, range(8)))
        assert sorted(statuses) == [200] * 7 + [201], statuses
        stored = served.count(
            "SELECT count(*) FROM search_index WHERE res_type = 'Patient' "
            "AND param = 'identifier' AND value = :value",
            value=value,
        )
        assert stored == 1


def _chunks(body: bytes, size: int = 8192) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_over_the_limit_gets_413_and_is_not_stored(served):
    marker = uuid.uuid4().hex
    body = json.dumps(_patient(marker)).encode()
    padded = body[:-1] + b" " * (LIMIT + 1000) + b"}"
    reply = requests.post(
        f"{served.base_url}/Patient", data=_chunks(padded), headers=served.headers(), timeout=60
    )
    assert reply.status_code == 413
    assert reply.json()["resourceType"] == "OperationOutcome"
    small = requests.post(
        f"{served.base_url}/Patient", data=_chunks(body, 16), headers=served.headers(), timeout=60
    )
    assert small.status_code == 201  # a chunked body within the limit is read whole
    stored = served.count(
        "SELECT count(*) FROM search_index WHERE param = 'identifier' AND value = :v", v=marker
    )
    assert stored == 1


def test_oversized_token_and_header_are_answered_with_an_outcome(served):
    token = requests.get(
        f"{served.base_url}/Patient",
        headers={"Authorization": "Bearer " + "a" * 10_000},
        timeout=30,
    )
    assert token.status_code == 401
    assert token.json()["resourceType"] == "OperationOutcome"
    header = requests.get(
        f"{served.base_url}/Patient",
        headers={**served.headers(), "X-Padding": "b" * 10_000},
        timeout=30,
    )
    assert header.status_code == 431
    assert header.json()["resourceType"] == "OperationOutcome"


def test_put_to_another_organizations_id_answers_as_for_a_free_id(served):
    """Documented policy: a restricted client's PUT to an id it cannot see is 404, taken or not."""
    admin = served.headers("dev-admin")
    mrlc = served.headers("dev-cbo-mrlc")
    every = requests.get(f"{served.base_url}/Task?_count=50", headers=admin, timeout=30).json()
    hidden = [
        e["resource"]["id"]
        for e in every["entry"]
        if requests.get(f"{e['fullUrl']}", headers=mrlc, timeout=30).status_code == 404
    ]
    theirs = hidden[0]
    body = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "owner": {"reference": "Organization/cbo-mrlc"},
    }
    answers = []
    for rid in (theirs, f"free-{uuid.uuid4().hex[:12]}"):
        reply = requests.put(
            f"{served.base_url}/Task/{rid}", json={**body, "id": rid}, headers=mrlc, timeout=30
        )
        answers.append((reply.status_code, reply.json()["issue"][0]["diagnostics"].split(" ")[-1]))
    assert [a[0] for a in answers] == [404, 404]
