"""An unreachable partner is probed; when it answers, its backlog is due at once, not after the
backoff the outage piled up. A partner that never comes back still dead-letters as before."""

from __future__ import annotations

import random

from adapter.exchange.delivery import DELIVERED, Verdict, failure
from adapter.exchange.listener import OutboxListener
from adapter.exchange.partners import Partner, PartnerRegistry
from adapter.exchange.retry import RetryPolicy
from adapter.exchange.worker import Worker, WorkerOptions
from tests.exchange.helpers import items, statuses
from tests.exchange.resources import patient

# A long backoff: without the release, nothing failed would be due again within the test.
SLOW = RetryPolicy(base_s=600, cap_s=600, max_attempts=5)


class FlakyPartner:
    """Refuses connections until `up`; counts probes and deliveries."""

    def __init__(self) -> None:
        self.up = False
        self.probes = 0
        self.delivered: list[str] = []

    def deliver(self, batch):
        if not self.up:
            return {i.seq: Verdict("retry", failure("connection refused")) for i in batch}
        self.delivered += [i.reference for i in batch]
        return dict.fromkeys((i.seq for i in batch), DELIVERED)

    def probe(self) -> bool:
        self.probes += 1
        return self.up


def flaky_worker(store, partner: FlakyPartner) -> Worker:
    options = WorkerOptions(batch_size=50, lease_s=60, policy=SLOW)
    return Worker(store.engine, {"ehr": partner}, options, rng=random.Random(3))


def routed_store(store):
    partner = Partner(id="ehr", base_url="http://127.0.0.1:9/fhir", resource_types=("Patient",))
    store.add_listener(OutboxListener(PartnerRegistry([partner])))
    return store


def test_a_recovered_partner_gets_its_backlog_without_waiting_out_the_backoff(store, monkeypatch):
    routed_store(store)
    for n in range(5):
        store.update("Patient", f"mbr-m{n}", patient(f"M{n}"))
    partner = FlakyPartner()
    worker = flaky_worker(store, partner)
    monkeypatch.setattr("adapter.exchange.worker.PROBE_INTERVAL_S", 0.0)
    assert worker.run_once().retried == 5
    assert worker.run_once().claimed == 0  # still down: one probe, no item is due
    assert partner.probes == 1
    partner.up = True
    report = worker.run_once()  # the probe answers: the backlog is released and sent
    assert report.delivered == 5
    assert statuses(store) == ["delivered"] * 5
    assert [i.attempts for i in items(store)] == [2] * 5


def test_a_partner_that_never_answers_is_only_probed_and_keeps_its_backoff(store, monkeypatch):
    routed_store(store)
    store.update("Patient", "mbr-m1", patient("M1"))
    partner = FlakyPartner()
    worker = flaky_worker(store, partner)
    monkeypatch.setattr("adapter.exchange.worker.PROBE_INTERVAL_S", 0.0)
    for _ in range(4):
        worker.run_once()
    [item] = items(store)
    assert (item.status, item.attempts) == ("pending", 1)
    assert partner.probes == 3
