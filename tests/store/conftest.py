"""A `store` fixture on SQLite and on PostgreSQL; each test session gets its own PG schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from adapter.store import Store, open_store

DEFAULT_POSTGRES_URL = "postgresql+psycopg://127.0.0.1:5432/test"


def _postgres_url() -> str:
    url = make_url(os.environ.get("ADAPTER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    return (
        url.render_as_string(hide_password=False)
        if url.username
        else url.set(username="root").render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped when the session ends."""
    base = _postgres_url()
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        pytest.fail(f"PostgreSQL at {base} is unreachable (set ADAPTER_TEST_POSTGRES_URL): {error}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _clear(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in ("search_index", "resource_version", "resource_current"):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 -- fixed table names


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    _clear(opened)
    yield opened
    opened.close()
