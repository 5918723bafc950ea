"""Append-only bulk writes of AuditEvents into the store's tables.

AuditEvents are never updated and get fresh ids, so the compare-and-set, history lookups and
change listeners of `Store` writes are not needed; what remains is three bulk inserts.

On PostgreSQL the three inserts are one statement (two of them as data-modifying CTEs, every
column passed as one array), sent on a connection the audit writer keeps in autocommit: a batch
costs one round trip and one durable commit, instead of a pool check-out with its ping, BEGIN,
three inserts and COMMIT. A statement is atomic: a refused event (or a lost connection) still
stores none of its batch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.exc import DBAPIError

from adapter import clock
from adapter.store.dates import format_instant
from adapter.store.index import index_rows
from adapter.store.schema import current, search_index, versions
from adapter.store.writes import NewVersion


def append_audit_events(store: Any, events: list[dict[str, Any]]) -> None:
    """Store new AuditEvents (version 1 each) with their search index, in one transaction."""
    rows, index = audit_rows(events)

    def write(conn: Any) -> None:
        conn.execute(insert(current), rows)
        conn.execute(insert(versions), rows)
        if index:
            conn.execute(insert(search_index), index)

    store.run_in_transaction(write)


def audit_rows(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of resource_current / resource_version (the same) and of search_index."""
    moment = clock.utcnow_naive()
    stamped = [_first_version(event, moment) for event in events]
    rows = [{"res_type": v.type, "res_id": v.id, **v.columns()} for v in stamped]
    return rows, [row for v in stamped for row in index_rows(v.type, v.id, v.body)]


class PostgresAuditAppender:
    """Appends batches of AuditEvents in one statement on a connection kept for the purpose."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._conn: Connection | None = None

    def append(self, events: list[dict[str, Any]]) -> None:
        rows, index = audit_rows(events)
        conn = self._connection()
        try:
            conn.exec_driver_sql(APPEND_SQL, _columns(rows, index))
        except DBAPIError as error:
            if error.connection_invalidated or conn.invalidated:
                self.close()  # the next batch opens a fresh connection
            raise

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except DBAPIError:
                pass  # already gone with the server

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn


_VERSION_COLUMNS = ("res_type", "res_id", "version", "last_updated", "deleted", "content")
_INDEX_COLUMNS = ("res_type", "res_id", "param", "system", "value", "exact", "low", "high")
# One text for every batch size (columns travel as arrays), so the server prepares it once.
APPEND_SQL = """
WITH audit_current AS (
    INSERT INTO resource_current (res_type, res_id, version, last_updated, deleted, content)
    SELECT * FROM unnest(%(res_type)s::varchar[], %(res_id)s::varchar[], %(version)s::int[],
        %(last_updated)s::timestamp[], %(deleted)s::boolean[], %(content)s::text[])
), audit_versions AS (
    INSERT INTO resource_version (res_type, res_id, version, last_updated, deleted, content)
    SELECT * FROM unnest(%(res_type)s::varchar[], %(res_id)s::varchar[], %(version)s::int[],
        %(last_updated)s::timestamp[], %(deleted)s::boolean[], %(content)s::text[])
)
INSERT INTO search_index (res_type, res_id, param, system, value, exact, low, high)
SELECT * FROM unnest(%(i_res_type)s::varchar[], %(i_res_id)s::varchar[],
    %(i_param)s::varchar[], %(i_system)s::varchar[], %(i_value)s::varchar[],
    %(i_exact)s::varchar[], %(i_low)s::timestamp[], %(i_high)s::timestamp[])
"""


def _columns(rows: list[dict[str, Any]], index: list[dict[str, Any]]) -> dict[str, list[Any]]:
    arrays = {name: [row[name] for row in rows] for name in _VERSION_COLUMNS}
    for name in _INDEX_COLUMNS:
        arrays[f"i_{name}"] = [row.get(name) for row in index]
    return arrays


def audit_appender(store: Any) -> Any:
    """How the audit writer stores a batch: `append(events)`, and `close()`."""
    engine = getattr(store, "engine", None)
    if engine is not None and engine.dialect.name == "postgresql":
        return PostgresAuditAppender(store)
    return _StoreAppender(store)


class _StoreAppender:
    def __init__(self, store: Any) -> None:
        self.store = store

    def append(self, events: list[dict[str, Any]]) -> None:
        append_audit_events(self.store, events)

    def close(self) -> None:
        return None


def _first_version(event: dict[str, Any], moment: datetime) -> NewVersion:
    meta = {"versionId": "1", "lastUpdated": format_instant(moment)}
    body = {**event, "meta": meta}
    return NewVersion("AuditEvent", event["id"], 1, moment, body, deleted=False)
