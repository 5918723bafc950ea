"""Building workers and reading the outbox in tests."""

from __future__ import annotations

import random
from typing import Any

import requests

from adapter.exchange import outbox
from adapter.exchange.auth import create_credentials
from adapter.exchange.delivery import PartnerClient
from adapter.exchange.partners import Partner
from adapter.exchange.retry import RetryPolicy
from adapter.exchange.worker import Worker, WorkerOptions
from adapter.store import Store

# No waiting between attempts: backoff itself is tested on RetryPolicy with a seeded rng.
IMMEDIATE = RetryPolicy(base_s=0.0, cap_s=0.0, max_attempts=4)


def worker(store: Store, *partners: Partner, policy: RetryPolicy = IMMEDIATE, **kw: Any) -> Worker:
    destinations = {}
    for partner in partners:
        session = requests.Session()
        destinations[partner.id] = PartnerClient(
            partner, session, create_credentials(partner, session)
        )
    options = WorkerOptions(batch_size=kw.pop("batch_size", 20), lease_s=60, policy=policy)
    return Worker(store.engine, destinations, options, rng=random.Random(7), **kw)


def items(store: Store, **filters: Any) -> list[outbox.OutboxItem]:
    with store.engine.connect() as conn:
        return outbox.list_items(conn, limit=100_000, **filters)


def statuses(store: Store) -> list[str]:
    return sorted(i.status for i in items(store))
