"""End to end over real HTTP: the adapter's store and worker processes, the project's own FHIR
server in another process as the partner EHR, and the suite's fault-injecting proxy between."""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path

import pytest
import requests

from adapter.canonical import BASE
from adapter.exchange import outbox
from adapter.exchange.auth import NoCredentials
from adapter.exchange.delivery import PartnerClient
from adapter.exchange.listener import OutboxListener
from adapter.exchange.partners import Partner, PollConfig, load_registry
from adapter.exchange.polling import TaskPoller
from adapter.validation import default_validator
from tests.exchange.helpers import items
from tests.exchange.processes import run_cli, start_fhir_server, start_worker, wait_for
from tests.exchange.resources import patient, task
from tests.exchange.servers import FaultProxy
from tests.processes import stop

pytestmark = pytest.mark.slow
DRAIN_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def ehr(tmp_path_factory):
    process, base = start_fhir_server(tmp_path_factory.mktemp("ehr"))
    yield base
    stop(process)


@pytest.fixture
def proxy(ehr):
    with FaultProxy(ehr.removesuffix("/fhir")) as fault_proxy:
        yield fault_proxy


@pytest.fixture
def partners_file(tmp_path, proxy) -> Path:
    path = tmp_path / "partners.yaml"
    entry = {"id": "ehr", "base_url": f"{proxy.url}/fhir", "resource_types": ["Patient", "Task"]}
    path.write_text(json.dumps({"partners": [entry]}))  # JSON is YAML
    return path


@pytest.fixture
def adapter(store, partners_file):
    """The adapter side: every write enqueues its deliveries, as the API's writes do."""
    store.add_listener(OutboxListener(load_registry(partners_file)))
    return store


def database_url(store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def ehr_resource(ehr: str, reference: str) -> dict | None:
    answer = requests.get(f"{ehr}/{reference}", timeout=10)
    return answer.json() if answer.status_code == 200 else None


def all_settled(store) -> bool:
    return all(i.status in ("delivered", "dead") for i in items(store))


def passed_puts(proxy: FaultProxy) -> Counter:
    """Requests that reached the partner, by path (dropped or answered by the proxy: not)."""
    return Counter(line.split(" ", 1)[1] for line in proxy.forwarded if line.startswith("PUT"))


def unique_member(tag: str, n: int) -> str:
    return f"E2E{tag}{n}"


def test_changes_made_while_the_partner_is_down_arrive_once_after_recovery(
    adapter, proxy, partners_file, ehr, request
):
    tag = request.node.callspec.id[:2].upper()
    proxy.down = True
    members = [unique_member(tag + "D", n) for n in range(8)]
    for member in members:
        for family in ("One", "Two", "Three"):
            adapter.update("Patient", f"mbr-{member.lower()}", patient(member, family))
    worker = start_worker(database_url(adapter), partners_file)
    try:
        wait_for(lambda: any(i.attempts > 0 for i in items(adapter)), 30, "failed attempts")
        assert not any(i.status == "delivered" for i in items(adapter))
        proxy.schedule.extend([429, 500, "drop", 503, ("delay", 0.5), 500])
        proxy.down = False
        wait_for(lambda: all_settled(adapter), DRAIN_TIMEOUT_S, "the backlog to drain")
    finally:
        stop(worker)
    assert {i.status for i in items(adapter)} == {"delivered"}
    for member in members:
        found = ehr_resource(ehr, f"Patient/mbr-{member.lower()}")
        assert found["name"][0]["family"] == "Three"
        # Three versions sent in order, each once: the partner holds exactly three versions.
        assert found["meta"]["versionId"] == "3"
    puts = passed_puts(proxy)
    assert all(puts[f"/fhir/Patient/mbr-{m.lower()}"] == 3 for m in members)


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
    adapter, proxy, partners_file, ehr, request
):
    tag = request.node.callspec.id[:2].upper()
    members = [unique_member(tag + "K", n) for n in range(60)]
    for member in members:
        adapter.update("Patient", f"mbr-{member.lower()}", patient(member))
    proxy.schedule.extend([("delay", 0.1)] * 60)
    # One request at a time, each delayed: the batch is still being sent when the kill comes.
    first = start_worker(
        database_url(adapter),
        partners_file,
        ADAPTER_EXCHANGE_LEASE_SECONDS="3",
        ADAPTER_EXCHANGE_CONCURRENCY="1",
    )
    try:
        wait_for(
            lambda: 5 <= sum(i.status == "delivered" for i in items(adapter)), 60, "deliveries"
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    assert any(i.status == "leased" for i in items(adapter)), "killed while holding a lease"
    second = start_worker(database_url(adapter), partners_file, ADAPTER_EXCHANGE_LEASE_SECONDS="3")
    try:
        wait_for(lambda: all_settled(adapter), DRAIN_TIMEOUT_S, "the second worker to finish")
    finally:
        stop(second)
    assert {i.status for i in items(adapter)} == {"delivered"}
    for member in members:
        found = ehr_resource(ehr, f"Patient/mbr-{member.lower()}")
        assert found is not None, member
        assert found["meta"]["versionId"] == "1"  # a resent item changed nothing


def test_two_workers_never_send_the_same_item(adapter, proxy, partners_file, ehr, request):
    tag = request.node.callspec.id[:2].upper()
    members = [unique_member(tag + "T", n) for n in range(80)]
    for member in members:
        adapter.update("Patient", f"mbr-{member.lower()}", patient(member))
        adapter.update("Task", f"svc-{member.lower()}-a", task(member, "a"))
    proxy.schedule.extend([("delay", 0.02)] * 160)  # slow enough that both workers take part
    workers = [start_worker(database_url(adapter), partners_file) for _ in range(2)]
    try:
        wait_for(lambda: all_settled(adapter), DRAIN_TIMEOUT_S, "both workers to drain")
    finally:
        for worker in workers:
            stop(worker)
    delivered = [int(w.stdout.read().split("delivered ")[1].split(",")[0]) for w in workers]
    assert sum(delivered) == 160
    assert min(delivered) > 0
    puts = passed_puts(proxy)
    assert len(puts) == 160
    assert set(puts.values()) == {1}
    assert {i.status for i in items(adapter)} == {"delivered"}


def test_a_refused_change_is_dead_lettered_with_the_partners_reason(
    adapter, proxy, partners_file, ehr, request
):
    tag = request.node.callspec.id[:2].upper()
    member = unique_member(tag + "R", 1)
    adapter.update("Task", f"svc-{member.lower()}-a", {**task(member, "a"), "status": "bogus"})
    result = run_cli(database_url(adapter), "worker", "--once", "--partners", str(partners_file))
    assert result.returncode == 0, result.stderr
    assert "dead-lettered 1" in result.stdout
    listed = run_cli(database_url(adapter), "outbox", "list", "--state", "dead")
    [line] = listed.stdout.splitlines()
    shown = json.loads(line)
    assert shown["resource"] == f"Task/svc-{member.lower()}-a/_history/1"
    assert shown["lastError"]["resourceType"] == "OperationOutcome"
    assert 400 <= shown["lastError"]["httpStatus"] < 500
    assert any("status" in json.dumps(i) for i in shown["lastError"]["issue"])
    retried = run_cli(database_url(adapter), "outbox", "retry", str(shown["id"]))
    assert retried.stdout.strip() == "Requeued 1 dead-lettered deliveries"
    with adapter.engine.connect() as conn:
        assert outbox.counts(conn)["pending"] == 1


def test_polling_a_cbo_server_applies_its_task_updates_once(store, ehr, request):
    tag = request.node.callspec.id[:2].upper()
    member = unique_member(tag + "P", 1)
    owner = f"cbo-{member.lower()}"  # an owner of its own: earlier tests' Tasks stay out
    ours = task(member, "a", owner=owner)
    store.update("Task", ours["id"], ours)
    vendor = {"system": f"{BASE}/CodeSystem/task-io-type", "code": "vendor"}
    theirs = {
        **ours,
        "status": "accepted",
        "output": [{"type": {"coding": [vendor]}, "valueReference": {"reference": "Org/v-1"}}],
    }
    assert requests.put(f"{ehr}/Task/{ours['id']}", json=theirs, timeout=10).status_code < 300
    partner = Partner(
        id="cbo",
        base_url=ehr,
        resource_types=("Task",),
        poll=PollConfig(owner=f"Organization/{owner}"),
    )
    client = PartnerClient(partner, requests.Session(), NoCredentials())
    poller = TaskPoller(partner, client, store, default_validator())
    first, second = poller.poll_once(), poller.poll_once()
    assert first.error is None
    assert (first.applied, second.applied, second.seen_before) == (1, 0, 1)
    assert store.read("Task", ours["id"]).resource["status"] == "accepted"
