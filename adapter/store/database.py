"""Engines for SQLite (WAL, busy timeout, writers serialised) and PostgreSQL, and migrations."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError

from adapter.errors import ConfigurationError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Seconds a SQLite writer waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT = 30
# Any constant works; it only has to be the same for every process migrating one database.
MIGRATION_LOCK_KEY = 7_310_421
WRITE_OPTION = "adapter_write"
# SQLAlchemy's own default; servers pass their thread count (see create_store_engine).
DEFAULT_POOL_SIZE = 5
# A connection used this recently is trusted without a ping: a busy server would otherwise pay a
# round trip per check-out, about a quarter of a primary-key read.
PING_AFTER_IDLE_S = 2.0
_IDLE_SINCE = "adapter_idle_since"
# PostgreSQL states a retry can cure: serialization failure, deadlock, lock not available.
RETRYABLE_SQLSTATES = ("40001", "40P01", "55P03")


def create_store_engine(database_url: str, *, pool_size: int | None = None) -> Engine:
    """An engine for the URL; SQLite parent folders are created.

    `pool_size`: PostgreSQL connections kept open, at least one per thread that uses the store at
    once (a server's request threads plus its audit writer). Connections beyond it are opened
    and closed per use, which costs a server process (fork) each time.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, url.database)
    if url.get_backend_name() == "postgresql":
        size = pool_size or DEFAULT_POOL_SIZE
        engine = create_engine(database_url, pool_size=size, max_overflow=size, future=True)
        _ping_when_idle(engine)
        return engine
    raise ConfigurationError(
        f"ADAPTER_DATABASE_URL: unsupported database {url.get_backend_name()!r}; "
        "use sqlite:///path or postgresql+psycopg://host/db"
    )


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it sat idle for PING_AFTER_IDLE_S or more.

    A connection the database dropped (restart, idle timeout, failover) is replaced before a
    request sees it, as with `pool_pre_ping`, without a round trip on every check-out of a busy
    pool. A database restart within the last seconds of use still fails one statement per
    process; SQLAlchemy then replaces every connection older than the failure.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: the pool opens a fresh connection instead
            raise DisconnectionError(f"stale pooled connection: {error}") from error


def _sqlite_engine(database_url: str, database: str | None) -> Engine:
    if not database or database == ":memory:":
        raise ConfigurationError("ADAPTER_DATABASE_URL: SQLite needs a file path")
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then
        # writes can fail with SQLITE_BUSY instead of waiting, losing the compare-and-set.
        write = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def alembic_config() -> Config:
    """Alembic settings without an ini file; a new revision is written with
    `command.revision(alembic_config(), "what changes")` and then edited by hand."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_schema(engine: Engine) -> None:
    """Apply migrations up to every head, one process at a time."""
    config = alembic_config()
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            config.attributes["connection"] = connection
            # "heads": revisions that branch from the same parent (tables of different
            # packages, added side by side) are all applied.
            command.upgrade(config, "heads")


# Unique-key violations: two writers claimed the same key. Other integrity errors (NOT NULL,
# foreign key, check) are bugs, and retrying would not cure them.
UNIQUE_SQLSTATE = "23505"


def is_unique_violation(error: IntegrityError) -> bool:
    if getattr(error.orig, "sqlstate", None) == UNIQUE_SQLSTATE:
        return True
    message = str(error.orig)
    return any(
        words in message
        for words in ("UNIQUE constraint failed", "PRIMARY KEY constraint failed", "duplicate key")
    )


def is_contention(error: DBAPIError) -> bool:
    """Whether a database error comes from a concurrent writer rather than from a bug."""
    if isinstance(error, IntegrityError):
        return is_unique_violation(error)  # e.g. the (type, id, version) key caught two writers
    if getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)
