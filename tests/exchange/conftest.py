"""Exchange fixtures: a store with the outbox listener on SQLite and PostgreSQL, and partners."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from adapter.exchange.listener import OutboxListener
from adapter.exchange.partners import Partner, PartnerRegistry
from adapter.store import Store, open_store
from tests.store.conftest import postgres_schema_url  # noqa: F401 -- the shared schema fixture

TABLES = (
    "exchange_outbox",
    "exchange_subscription",
    "exchange_subscription_event",
    "exchange_inbound_seen",
    "exchange_poll_cursor",
    "search_index",
    "resource_version",
    "resource_current",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/exchange.db"
    return request.getfixturevalue("postgres_schema_url")


def empty(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 -- fixed table names


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    empty(opened)
    yield opened
    opened.close()


@pytest.fixture
def ehr() -> Partner:
    return Partner(id="ehr", base_url="http://127.0.0.1:9/fhir", resource_types=("Patient", "Task"))


@pytest.fixture
def routed_store(store: Store, ehr: Partner) -> Store:
    """The store with deliveries to the `ehr` partner enqueued by every write."""
    store.add_listener(OutboxListener(PartnerRegistry([ehr])))
    return store
