"""PostgreSQL pooled connections: a connection the server dropped while it sat idle in the pool
is replaced before use, without a ping on every check-out of a busy pool."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from adapter.store import database as db
from adapter.store import open_store
from tests.store.conftest import _postgres_url

pytestmark = pytest.mark.postgres


def backend_pid(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_dropped_while_idle_is_replaced_before_a_read(
    postgres_schema_url, monkeypatch
):
    store = open_store(postgres_schema_url)
    admin = create_engine(_postgres_url(), isolation_level="AUTOCOMMIT")
    try:
        store.update("Patient", "p1", {"resourceType": "Patient", "id": "p1"})
        dropped = backend_pid(store)
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every pooled connection is "idle"
        assert store.read("Patient", "p1").id == "p1"
        assert backend_pid(store) != dropped
    finally:
        store.close()
        admin.dispose()


def test_a_busy_pool_is_not_pinged(postgres_schema_url, monkeypatch):
    store = open_store(postgres_schema_url)
    try:
        store.update("Patient", "p2", {"resourceType": "Patient", "id": "p2"})
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)
        pings = []
        monkeypatch.setattr(store.engine.dialect, "do_ping", lambda c: pings.append(c) or True)
        for _ in range(5):
            store.read("Patient", "p2")
        assert pings == []
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
        store.read("Patient", "p2")
        assert len(pings) == 1
    finally:
        store.close()
