"""A standing chaos run, per database: client processes as different organizations doing
creates, conditional creates, If-Match updates, transactions, deletes and reads, while a
delivery worker sends to a partner behind a fault proxy, and server and delivery workers are
killed and restarted. Invariants are checked at the end and the figures printed.

Bounded: CHAOS_SECONDS of traffic plus start-up and drain, well under 5 minutes per database.
Run by `scripts/chaos.sh` (which sets CHAOS_SECONDS); skipped when CHAOS_SECONDS is unset.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
import requests

from tests.exchange.processes import start_worker, wait_for
from tests.exchange.servers import FaultProxy, MiniPartner
from tests.integrity.served import Served, database, serve
from tests.processes import stop

pytestmark = [
    pytest.mark.slow,
    pytest.mark.chaos,
    pytest.mark.skipif("CHAOS_SECONDS" not in os.environ, reason="run by scripts/chaos.sh"),
]
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
SECONDS = float(os.environ.get("CHAOS_SECONDS", "0") or 0)
CLIENTS = 4
KEYS = 12  # conditional-create keys shared by every client
COUNTERS = 3  # Patients whose family name counts acknowledged If-Match updates
PLAN_ORG = "Organization/plan-cca-oc"
HIDDEN_FROM_MRLC = "mbr-m100016"  # MBIL's member (security fixtures' facts)
FAULTS = [429, 500, 503, "drop", ("delay", 0.3)]


class RecordingPartner(MiniPartner):
    """The in-memory partner, keeping every PUT body it applied, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[str, dict[str, Any]]] = []

    def _put(self, rtype: str, rid: str, resource: dict[str, Any]) -> tuple[int, Any]:
        self.received.append((f"{rtype}/{rid}", resource))
        return super()._put(rtype, rid, resource)


def _patient(family: str, identifier: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Patient",
        "managingOrganization": {"reference": PLAN_ORG},
        "name": [{"family": family}],
    }
    if identifier:
        body["identifier"] = [{"system": "urn:test:chaos", "value": identifier}]
    return body


def _client(base: str, tokens: dict[str, str], seed: int, seconds: float, out: Any) -> None:
    """One client process: random operations until the time is up; figures to `out`."""
    rng = random.Random(seed)
    stats: Counter = Counter()
    acked: Counter = Counter()
    leaks: list[str] = []
    plan = {"Authorization": f"Bearer {tokens['plan']}", "Content-Type": "application/fhir+json"}
    mrlc = {"Authorization": f"Bearer {tokens['mrlc']}"}
    deadline = time.monotonic() + seconds

    def call(method: str, path: str, **kwargs: Any) -> requests.Response | None:
        stats["requests"] += 1
        try:
            reply = requests.request(method, f"{base}{path}", timeout=60, **kwargs)
        except requests.RequestException:
            stats["unknown"] += 1  # the connection broke (a killed worker): outcome unknown
            return None
        stats[f"status {reply.status_code // 100}xx"] += 1
        return reply

    while time.monotonic() < deadline:
        op = rng.choice(["create", "conditional", "update", "transaction", "delete", "read"])
        stats[op] += 1
        if op == "create":
            call("POST", "/Patient", json=_patient("Made"), headers=plan)
        elif op == "conditional":
            key = f"key-{rng.randrange(KEYS)}"
            headers = {**plan, "If-None-Exist": f"identifier=urn:test:chaos|{key}"}
            call("POST", "/Patient", json=_patient("Keyed", key), headers=headers)
        elif op == "update":
            rid = f"chaos-counter-{rng.randrange(COUNTERS)}"
            current = call("GET", f"/Patient/{rid}", headers=plan)
            if current is None or current.status_code != 200:
                continue
            body = current.json()
            body["name"] = [{"family": str(int(body["name"][0]["family"]) + 1)}]
            etag = current.headers["ETag"]
            done = call("PUT", f"/Patient/{rid}", json=body, headers={**plan, "If-Match": etag})
            if done is not None and done.status_code == 200:
                acked[rid] += 1
            elif done is None:
                acked[f"{rid} unknown"] += 1
        elif op == "transaction":
            entries = [
                {"resource": _patient("Bundled"), "request": {"method": "POST", "url": "Patient"}}
                for _ in range(2)
            ]
            bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
            call("POST", "", json=bundle, headers=plan)
        elif op == "delete":
            made = call("POST", "/Patient", json=_patient("Doomed"), headers=plan)
            if made is not None and made.status_code == 201:
                call("DELETE", f"/Patient/{made.json()['id']}", headers=plan)
        else:
            call("GET", "/Patient?_count=5&family=Keyed", headers=plan)
            other = call("GET", f"/Patient/{HIDDEN_FROM_MRLC}", headers=mrlc)
            if other is not None and other.status_code != 404:
                leaks.append(f"MRLC read {HIDDEN_FROM_MRLC}: {other.status_code}")
            found = call("GET", "/Patient?_count=50", headers=mrlc)
            if found is not None and found.status_code == 200:
                ids = {e["resource"]["id"] for e in found.json().get("entry", [])}
                if HIDDEN_FROM_MRLC in ids:
                    leaks.append("MRLC search returned MBIL's member")
    out.put({"stats": dict(stats), "acked": dict(acked), "leaks": leaks})


def _worker_pids(server: subprocess.Popen) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in found.stdout.split()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_chaos(backend, tmp_path):
    started = time.monotonic()
    with RecordingPartner() as partner, FaultProxy(partner.url) as proxy:
        partners = tmp_path / "partners.yaml"
        entry = {"id": "chaos", "base_url": f"{proxy.url}/fhir", "resource_types": ["Patient"]}
        partners.write_text(json.dumps({"partners": [entry]}))
        with (
            database(backend, tmp_path) as url,
            serve(url, tmp_path, ADAPTER_EXCHANGE_PARTNERS_FILE=str(partners)) as served,
        ):
            figures = _run(served, url, partners, proxy, partner)
    figures["seconds"] = round(time.monotonic() - started, 1)
    sys.stdout.write(f"\nchaos [{backend}]: {json.dumps(figures, sort_keys=True)}\n")
    assert figures["violations"] == [], figures["violations"]


def _run(served: Served, url: str, partners, proxy: FaultProxy, partner) -> dict[str, Any]:
    plan = served.headers()
    for n in range(COUNTERS):
        rid = f"chaos-counter-{n}"
        body = {**_patient("0"), "id": rid}
        # Chosen ids are an administrator's to create (restricted clients get 404).
        admin = served.headers("dev-admin")
        made = requests.put(
            f"{served.base_url}/Patient/{rid}", json=body, headers=admin, timeout=30
        )
        assert made.status_code == 201, made.text
    audit_sql = "SELECT count(*) FROM resource_current WHERE res_type = 'AuditEvent'"
    audit_before = served.count(audit_sql)
    tokens = {
        "plan": plan["Authorization"].split(" ", 1)[1],
        "mrlc": served.headers("dev-cbo-mrlc")["Authorization"].split(" ", 1)[1],
    }
    rng = random.Random(7)
    proxy.schedule.extend(rng.choice([*FAULTS, "pass", "pass", "pass"]) for _ in range(400))
    faults = Counter()
    worker = start_worker(url, partners, ADAPTER_EXCHANGE_LEASE_SECONDS="3")
    out: multiprocessing.Queue = multiprocessing.Queue()
    clients = [
        multiprocessing.Process(target=_client, args=(served.base_url, tokens, i, SECONDS, out))
        for i in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        # Kill a server worker and the delivery worker, a few times each, while clients run.
        end = time.monotonic() + SECONDS
        while time.monotonic() < end - 3:
            time.sleep(SECONDS / 5)
            pids = _worker_pids(served.process)
            if pids:
                os.kill(rng.choice(pids), signal.SIGKILL)
                faults["server worker killed"] += 1
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            faults["delivery worker killed"] += 1
            worker = start_worker(url, partners, ADAPTER_EXCHANGE_LEASE_SECONDS="3")
        results = [out.get(timeout=SECONDS + 120) for _ in clients]
        for client in clients:
            client.join(timeout=30)
        wait_for(lambda: _outbox_settled(served), 120, "the outbox to drain")
    finally:
        stop(worker)
    faults.update(line.rsplit(" ", 2)[0] for line in proxy.seen if not line.startswith("pass"))
    faults["partner requests"] = len(proxy.seen)
    return _check(served, results, audit_before, audit_sql, partner, faults)


def _outbox_settled(served: Served) -> bool:
    waiting = "SELECT count(*) FROM exchange_outbox WHERE status NOT IN ('delivered', 'dead')"
    return served.count(waiting) == 0


def _check(served, results, audit_before, audit_sql, partner, faults) -> dict[str, Any]:
    # Counted before this check's own reads of the counters, which are audited too.
    audited = served.count(audit_sql) - audit_before
    stats: Counter = Counter()
    acked: Counter = Counter()
    violations: list[str] = []
    for result in results:
        stats.update(result["stats"])
        acked.update(result["acked"])
        violations += result["leaks"]
    if stats["status 5xx"]:
        violations.append(f"{stats['status 5xx']} answers were 5xx")
    keyed = served.count(
        "SELECT count(*) FROM (SELECT value FROM search_index WHERE res_type = 'Patient' "
        "AND param = 'identifier' AND system = 'urn:test:chaos' "
        "GROUP BY value HAVING count(*) > 1) AS duplicated"
    )
    if keyed:
        violations.append(f"{keyed} conditional-create keys stored more than once")
    plan = served.headers()
    for n in range(COUNTERS):
        rid = f"chaos-counter-{n}"
        value = int(
            requests.get(f"{served.base_url}/Patient/{rid}", headers=plan, timeout=30).json()[
                "name"
            ][0]["family"]
        )
        low, high = acked[rid], acked[rid] + acked[f"{rid} unknown"]
        if not low <= value <= high:
            violations.append(f"{rid} counts {value}, acknowledged {low}..{high}: a lost update")
        arrived = [
            int(r["name"][0]["family"]) for key, r in partner.received if key == f"Patient/{rid}"
        ]
        if arrived != sorted(arrived):
            violations.append(f"{rid} reached the partner out of order: {arrived}")
        if not arrived or arrived[-1] != value:
            violations.append(f"{rid}: the partner holds {arrived[-1:]} instead of {value}")
    dead = served.count("SELECT count(*) FROM exchange_outbox WHERE status = 'dead'")
    if dead:
        violations.append(f"{dead} deliveries dead-lettered")
    answered = stats["requests"] - stats["unknown"]
    if not answered <= audited <= stats["requests"]:
        violations.append(f"{audited} audit events for {answered}..{stats['requests']} requests")
    deliveries = served.count("SELECT count(*) FROM exchange_outbox WHERE status = 'delivered'")
    return {
        "operations": dict(sorted((k, v) for k, v in stats.items())),
        "faults injected": dict(faults),
        "audit events": audited,
        "deliveries": deliveries,
        "partner puts": len(partner.received),
        "violations": violations,
    }
