"""The transactional outbox: enqueue with the change, claim with a lease, settle each item."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, exists, func, insert, or_, select, update

from adapter import clock
from adapter.store.database import WRITE_OPTION
from adapter.store.dates import format_instant
from adapter.store.schema import outbox

PENDING, LEASED, DELIVERED, DEAD = "pending", "leased", "delivered", "dead"
STATUSES = (PENDING, LEASED, DELIVERED, DEAD)
# Rows in these states hold back later rows of the same member for the same destination.
_UNSETTLED = (PENDING, LEASED)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction (SQLite: BEGIN IMMEDIATE), committed when the block ends."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


def utcnow() -> datetime:
    """Naive UTC, the way the tables store instants."""
    return clock.utcnow_naive()


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    destination: str
    kind: str
    ordering_key: str
    res_type: str
    res_id: str
    version: str
    action: str
    payload: dict[str, Any] | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: dict[str, Any] | None
    created_at: datetime
    delivered_at: datetime | None

    @property
    def reference(self) -> str:
        return f"{self.res_type}/{self.res_id}"

    def to_json(self) -> dict[str, Any]:
        """The item as the admin API and CLI show it; the payload stays in the database."""
        shown = {
            "id": self.seq,
            "destination": self.destination,
            "kind": self.kind,
            "resource": f"{self.reference}/_history/{self.version}",
            "action": self.action,
            "status": self.status,
            "attempts": self.attempts,
            "nextAttempt": format_instant(self.next_attempt_at),
            "created": format_instant(self.created_at),
        }
        if self.delivered_at:
            shown["delivered"] = format_instant(self.delivered_at)
        if self.last_error:
            shown["lastError"] = self.last_error
        return shown


def _item(row: Any) -> OutboxItem:
    return OutboxItem(
        seq=row.seq,
        destination=row.destination,
        kind=row.kind,
        ordering_key=row.ordering_key,
        res_type=row.res_type,
        res_id=row.res_id,
        version=row.version,
        action=row.action,
        payload=orjson.loads(row.payload) if row.payload else None,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=orjson.loads(row.last_error) if row.last_error else None,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def enqueue(
    conn: Connection,
    change: dict[str, Any],
    destinations: Sequence[str],
    key: str,
    *,
    kind: str = "resource",
    payload: dict[str, Any] | None = None,
) -> None:
    """One pending row per destination, in the caller's (the change's) transaction."""
    if not destinations:
        return
    now = utcnow()
    body = payload if payload is not None else change.get("resource")
    encoded = orjson.dumps(body).decode() if body is not None else None
    rows = [
        {
            "destination": destination,
            "kind": kind,
            "ordering_key": key,
            "res_type": change["type"],
            "res_id": change["id"],
            "version": change["version"],
            "action": change["action"],
            "payload": encoded,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for destination in destinations
    ]
    conn.execute(insert(outbox), rows)


def claim(
    conn: Connection,
    worker: str,
    *,
    limit: int,
    lease_s: float,
    destinations: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[OutboxItem]:
    """Lease up to `limit` due items, at most the oldest unsettled one per member and destination.

    PostgreSQL: `FOR UPDATE SKIP LOCKED` lets concurrent workers take disjoint items; SQLite:
    the caller's write transaction (BEGIN IMMEDIATE) makes the claim atomic. An expired lease
    (its worker died) makes the item claimable again.
    """
    now = now or utcnow()
    row, earlier = outbox.alias("o"), outbox.alias("earlier")
    due = or_(
        and_(row.c.status == PENDING, row.c.next_attempt_at <= now),
        and_(row.c.status == LEASED, row.c.lease_until < now),
    )
    held_back = exists().where(
        earlier.c.destination == row.c.destination,
        earlier.c.ordering_key == row.c.ordering_key,
        earlier.c.seq < row.c.seq,
        earlier.c.status.in_(_UNSETTLED),
    )
    query = select(row.c.seq).where(due, ~held_back)
    if destinations is not None:
        query = query.where(row.c.destination.in_(list(destinations)))
    query = query.order_by(row.c.seq).limit(limit)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=row, skip_locked=True)
    seqs = list(conn.execute(query).scalars())
    if not seqs:
        return []
    lease_until = now + timedelta(seconds=lease_s)
    conn.execute(
        update(outbox)
        .where(outbox.c.seq.in_(seqs))
        .values(status=LEASED, leased_by=worker, lease_until=lease_until)
    )
    rows = conn.execute(select(outbox).where(outbox.c.seq.in_(seqs)).order_by(outbox.c.seq))
    return [_item(r) for r in rows]


def _settle(conn: Connection, item: OutboxItem, worker: str, **values: Any) -> bool:
    """Update a leased item; False when its lease was lost to another worker meanwhile."""
    statement = (
        update(outbox)
        .where(outbox.c.seq == item.seq, outbox.c.status == LEASED, outbox.c.leased_by == worker)
        .values(lease_until=None, leased_by=None, **values)
    )
    return conn.execute(statement).rowcount == 1


def mark_delivered(conn: Connection, item: OutboxItem, worker: str) -> bool:
    now = utcnow()
    return _settle(
        conn, item, worker, status=DELIVERED, attempts=item.attempts + 1, delivered_at=now
    )


def mark_all_delivered(conn: Connection, items: Sequence[OutboxItem], worker: str) -> int:
    """`mark_delivered` for many items in one statement; the count whose lease was still held."""
    if not items:
        return 0
    statement = (
        update(outbox)
        .where(outbox.c.seq.in_([item.seq for item in items]))
        .where(outbox.c.status == LEASED, outbox.c.leased_by == worker)
        .values(
            status=DELIVERED,
            attempts=outbox.c.attempts + 1,
            delivered_at=utcnow(),
            lease_until=None,
            leased_by=None,
        )
    )
    return conn.execute(statement).rowcount


def mark_retry(
    conn: Connection, item: OutboxItem, worker: str, delay_s: float, error: dict[str, Any]
) -> bool:
    when = utcnow() + timedelta(seconds=delay_s)
    return _settle(
        conn,
        item,
        worker,
        status=PENDING,
        attempts=item.attempts + 1,
        next_attempt_at=when,
        last_error=orjson.dumps(error).decode(),
    )


def mark_dead(conn: Connection, item: OutboxItem, worker: str, error: dict[str, Any]) -> bool:
    return _settle(
        conn,
        item,
        worker,
        status=DEAD,
        attempts=item.attempts + 1,
        last_error=orjson.dumps(error).decode(),
    )


def list_items(
    conn: Connection,
    *,
    status: str | None = None,
    destination: str | None = None,
    limit: int = 100,
) -> list[OutboxItem]:
    query = select(outbox)
    if status:
        query = query.where(outbox.c.status == status)
    if destination:
        query = query.where(outbox.c.destination == destination)
    rows = conn.execute(query.order_by(outbox.c.seq.desc()).limit(limit))
    return [_item(r) for r in rows]


def get_item(conn: Connection, seq: int) -> OutboxItem | None:
    row = conn.execute(select(outbox).where(outbox.c.seq == seq)).first()
    return _item(row) if row else None


def retry_dead(conn: Connection, seqs: Sequence[int] = ()) -> int:
    """Put dead-lettered items (these, or all) back in the queue; the count requeued."""
    statement = update(outbox).where(outbox.c.status == DEAD)
    if seqs:
        statement = statement.where(outbox.c.seq.in_(list(seqs)))
    values = {"status": PENDING, "attempts": 0, "next_attempt_at": utcnow()}
    return conn.execute(statement.values(**values)).rowcount


def counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    found = dict.fromkeys(STATUSES, 0)
    found.update({status: count for status, count in rows})
    return found


def superseded(conn: Connection, item: OutboxItem) -> bool:
    """A newer change of the same resource already reached this destination (after a requeue)."""
    newer = outbox.alias("newer")
    query = select(newer.c.seq).where(
        newer.c.destination == item.destination,
        newer.c.res_type == item.res_type,
        newer.c.res_id == item.res_id,
        newer.c.seq > item.seq,
        newer.c.status == DELIVERED,
    )
    return conn.execute(query.limit(1)).first() is not None


def release_backlog(conn: Connection, destination: str, now: datetime | None = None) -> int:
    """Make a destination's waiting retries due now (it answers again after an outage)."""
    now = now or utcnow()
    statement = (
        update(outbox)
        .where(outbox.c.destination == destination, outbox.c.status == PENDING)
        .where(outbox.c.attempts > 0, outbox.c.next_attempt_at > now)
        .values(next_attempt_at=now)
    )
    return conn.execute(statement).rowcount


def extend_lease(conn: Connection, seqs: Sequence[int], worker: str, lease_s: float) -> int:
    """Push the lease of items this worker still holds; the count still held."""
    statement = (
        update(outbox)
        .where(outbox.c.seq.in_(list(seqs)), outbox.c.status == LEASED)
        .where(outbox.c.leased_by == worker)
        .values(lease_until=utcnow() + timedelta(seconds=lease_s))
    )
    return conn.execute(statement).rowcount
