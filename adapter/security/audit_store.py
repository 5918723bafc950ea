"""Append-only bulk writes of AuditEvents into the store's tables, one statement per table.

AuditEvents are never updated and get fresh ids, so the compare-and-set, history lookups and
change listeners of `Store` writes are not needed; what remains is three bulk inserts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert

from adapter import clock
from adapter.store.dates import format_instant
from adapter.store.index import index_rows
from adapter.store.schema import current, search_index, versions
from adapter.store.writes import NewVersion


def append_audit_events(store: Any, events: list[dict[str, Any]]) -> None:
    """Store new AuditEvents (version 1 each) with their search index, in one transaction."""
    moment = clock.utcnow_naive()
    stamped = [_first_version(event, moment) for event in events]
    rows = [{"res_type": v.type, "res_id": v.id, **v.columns()} for v in stamped]
    index = [row for v in stamped for row in index_rows(v.type, v.id, v.body)]

    def write(conn: Any) -> None:
        conn.execute(insert(current), rows)
        conn.execute(insert(versions), rows)
        if index:
            conn.execute(insert(search_index), index)

    store.run_in_transaction(write)


def _first_version(event: dict[str, Any], moment: datetime) -> NewVersion:
    meta = {"versionId": "1", "lastUpdated": format_instant(moment)}
    body = {**event, "meta": meta}
    return NewVersion("AuditEvent", event["id"], 1, moment, body, deleted=False)
