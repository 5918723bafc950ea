"""Migrations build exactly the tables schema.py declares, and opening twice is harmless."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from adapter.errors import ConfigurationError
from adapter.store import open_store
from adapter.store.schema import metadata


def test_migrated_schema_matches_the_declared_tables(store):
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_open_store_twice_keeps_data(database_url, store):
    store.update("Patient", "p1", {"resourceType": "Patient"})
    again = open_store(database_url)
    try:
        assert again.read("Patient", "p1").version_id == "1"
    finally:
        again.close()


def test_sqlite_parent_folders_are_created(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/var/nested/adapter.db")
    try:
        assert (tmp_path / "var" / "nested" / "adapter.db").exists()
    finally:
        store.close()


@pytest.mark.parametrize("url", ["mysql://localhost/db", "sqlite://", "sqlite:///:memory:"])
def test_unsupported_database_urls_are_configuration_errors(url):
    with pytest.raises(ConfigurationError):
        open_store(url)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/wal.db")
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        store.close()


def test_store_keeps_working_after_fork_reset(store):
    store.update("Patient", "p1", {"resourceType": "Patient"})
    store.after_fork()
    assert store.read("Patient", "p1").version_id == "1"


def test_refreshing_statistics_after_a_bulk_load_keeps_search_answers(store):
    for n in range(5):
        store.create({"resourceType": "Patient", "identifier": [{"system": "s", "value": f"{n}"}]})
    store.refresh_statistics()
    assert store.search("Patient", [("identifier", "s|3")]).total == 1
