"""Assembling the exchange from settings: each partner's HTTP client and the worker options."""

from __future__ import annotations

import requests

from adapter.config import Settings
from adapter.exchange.auth import create_credentials
from adapter.exchange.delivery import PartnerClient
from adapter.exchange.partners import PartnerRegistry
from adapter.exchange.retry import RetryPolicy
from adapter.exchange.worker import Destination, WorkerOptions


def partner_clients(registry: PartnerRegistry, concurrency: int = 1) -> dict[str, Destination]:
    """One HTTP client, with its own session and credentials, per enabled partner."""
    clients: dict[str, Destination] = {}
    for partner in registry:
        if partner.enabled:
            session = requests.Session()
            clients[partner.id] = PartnerClient(
                partner, session, create_credentials(partner, session), concurrency=concurrency
            )
    return clients


def worker_options(settings: Settings) -> WorkerOptions:
    return WorkerOptions(
        batch_size=settings.exchange_batch_size,
        lease_s=settings.exchange_lease_seconds,
        idle_s=settings.exchange_idle_seconds,
        policy=RetryPolicy(
            cap_s=settings.exchange_backoff_cap_seconds,
            max_attempts=settings.exchange_max_attempts,
        ),
    )
