"""API test fixtures: a Flask test client over the real store, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from adapter.api import create_app
from adapter.config import Settings
from adapter.store import open_store

# The store tests' per-session PostgreSQL schema (ADAPTER_TEST_POSTGRES_URL), shared here.
from tests.store.conftest import postgres_schema_url  # noqa: F401

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _empty_tables(url: str) -> None:
    """Every test starts from empty tables; the schema (and its migrations) is kept."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables)
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/adapter.db"
    url = request.getfixturevalue("postgres_schema_url")
    open_store(url).close()  # first use in the session creates the tables
    _empty_tables(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        page_size_default=5,
        page_size_max=20,
        auth_mode="off",
        audit_mode="off",
        # These tests write resources one at a time in any order, as a migration would;
        # test_reference_integrity.py checks the refusal with the setting on.
        reference_integrity=0,
    )


@pytest.fixture(scope="session")
def validator() -> Any:
    from adapter.validation import default_validator

    return default_validator()


@pytest.fixture
def store(settings: Settings) -> Iterator[Any]:
    opened = open_store(
        settings.database_url,
        page_size_default=settings.page_size_default,
        page_size_max=settings.page_size_max,
    )
    yield opened
    opened.close()


@pytest.fixture
def app(settings: Settings, store: Any, validator: Any) -> Any:
    return create_app(settings, store=store, validator=validator)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def make_client(store: Any, validator: Any, settings: Settings) -> Any:
    """A client for the same store with some settings changed (e.g. validation_mode)."""

    def build(**changes: Any) -> Any:
        return create_app(
            replace(settings, **changes), store=store, validator=validator
        ).test_client()

    return build
