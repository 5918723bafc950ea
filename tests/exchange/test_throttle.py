"""A partner's 429 or 503 slows delivery to that partner as a whole, not to the others."""

from __future__ import annotations

import pytest

from adapter.exchange.listener import OutboxListener
from adapter.exchange.partners import Partner, PartnerRegistry
from tests.exchange.helpers import items, worker
from tests.exchange.resources import patient
from tests.exchange.servers import FaultProxy, MiniPartner


@pytest.fixture
def partners():
    with MiniPartner() as slow_server, MiniPartner() as fast_server:
        with FaultProxy(slow_server.url) as proxy:
            slow = Partner(id="slow", base_url=f"{proxy.url}/fhir", resource_types=("Patient",))
            fast = Partner(id="fast", base_url=fast_server.fhir, resource_types=("Patient",))
            yield proxy, slow, fast


def test_a_partner_answering_429_is_left_alone_while_others_proceed(store, partners):
    proxy, slow, fast = partners
    store.add_listener(OutboxListener(PartnerRegistry([slow, fast])))
    for n in range(6):
        store.update("Patient", f"mbr-t{n}", patient(f"T{n}"))
    proxy.schedule.append(429)  # the proxy's 429 asks for Retry-After: 1
    sender = worker(store, slow, fast, batch_size=12)

    first = sender.run_once()
    assert (first.delivered, first.retried) == (11, 1)

    second = sender.run_once()  # within the second the slow partner asked for
    assert second.claimed == 0
    assert len(proxy.seen) == 6  # no request reached the slow partner meanwhile

    store.update("Patient", "mbr-t9", patient("T9"))
    third = sender.run_once()
    assert [i.destination for i in items(store) if i.status == "delivered"].count("fast") == 7
    assert third.claimed == 1
