"""Member service records on one connection: plan exports, member records, intake reviews
and the runs of scheduled jobs.

Every function takes the caller's connection so a record can be saved in the same database
transaction as the FHIR resources mapped from it (see `Store.transaction(before_commit=...)`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from adapter import clock
from adapter.errors import Conflict
from adapter.store.dates import format_instant, to_aware
from adapter.store.schema import intake_reviews, job_runs, member_records, plan_exports

Record = dict[str, Any]
REVIEW_STATUSES = ("open", "resolved")


@dataclass(frozen=True)
class MemberRow:
    """A member's latest plan record, the plan it came from and its revision."""

    member_id: str
    plan_id: str
    revision: int
    record: Record


def _now() -> datetime:
    return clock.utcnow_naive()


def save_plan_export(conn: Connection, plan_id: str, header: Record, directory: Record) -> None:
    """Replace the plan's export header and directory."""
    values = {"header": header, "directory": directory, "updated_at": _now()}
    changed = conn.execute(
        update(plan_exports).where(plan_exports.c.plan_id == plan_id).values(**values)
    )
    if changed.rowcount == 0:
        conn.execute(insert(plan_exports).values(plan_id=plan_id, **values))


def load_plan_export(conn: Connection, plan_id: str) -> tuple[Record, Record] | None:
    """(header, directory) of the plan's latest export, None when never ingested."""
    row = conn.execute(select(plan_exports).where(plan_exports.c.plan_id == plan_id)).first()
    return (row.header, row.directory) if row else None


def load_member(conn: Connection, member_id: str) -> MemberRow | None:
    row = conn.execute(select(member_records).where(member_records.c.member_id == member_id))
    found = row.first()
    if found is None:
        return None
    return MemberRow(found.member_id, found.plan_id, found.revision, found.record)


def save_member(
    conn: Connection, plan_id: str, record: Record, *, expected_revision: int | None = None
) -> int:
    """Store the member's record and return its revision; an equal record changes nothing.

    With `expected_revision`, the write only succeeds if nobody saved the member since that
    revision was read; otherwise Conflict, which rolls the caller's transaction back.
    """
    member = record["member"]
    current = load_member(conn, member["member_id"])
    if current is None:
        return _insert_member(conn, plan_id, record)
    if expected_revision is not None and current.revision != expected_revision:
        raise _lost_update(member["member_id"])
    if current.record == record and current.plan_id == plan_id:
        return current.revision
    statement = (
        update(member_records)
        .where(member_records.c.member_id == member["member_id"])
        .where(member_records.c.revision == current.revision)
        .values(_member_values(plan_id, record, current.revision + 1))
    )
    if conn.execute(statement).rowcount != 1:
        raise _lost_update(member["member_id"])
    return current.revision + 1


def _insert_member(conn: Connection, plan_id: str, record: Record) -> int:
    values = _member_values(plan_id, record, 1)
    conn.execute(insert(member_records).values(member_id=record["member"]["member_id"], **values))
    return 1


def _member_values(plan_id: str, record: Record, revision: int) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "masshealth_id": record["member"].get("masshealth_id"),
        "revision": revision,
        "record": record,
        "updated_at": _now(),
    }


def _lost_update(member_id: str) -> Conflict:
    return Conflict(
        f"member {member_id} was changed by another request meanwhile; nothing was stored, "
        "retry the request"
    )


def find_member_ids(
    conn: Connection, *, member_id: str | None = None, masshealth_id: str | None = None
) -> list[str]:
    """Plan member ids whose plan member id or MassHealth id equals the value given."""
    if member_id is not None:
        query = select(member_records.c.member_id).where(member_records.c.member_id == member_id)
    elif masshealth_id is not None:
        column = member_records.c.masshealth_id
        query = select(member_records.c.member_id).where(column == masshealth_id)
    else:
        return []
    return [row.member_id for row in conn.execute(query.order_by(member_records.c.member_id))]


def add_review(conn: Connection, source: str, payload: str, reason: str) -> str:
    """Queue an inbound message for a person to look at; returns the review id."""
    review_id = str(uuid.uuid4())
    conn.execute(
        insert(intake_reviews).values(
            id=review_id,
            source=source,
            received_at=_now(),
            reason=reason,
            payload=payload,
            status="open",
        )
    )
    return review_id


def list_reviews(conn: Connection, status: str = "open") -> list[Record]:
    """Reviews in the status, oldest first."""
    query = (
        select(intake_reviews)
        .where(intake_reviews.c.status == status)
        .order_by(intake_reviews.c.received_at, intake_reviews.c.id)
    )
    return [_review(row) for row in conn.execute(query)]


def set_review_status(conn: Connection, review_id: str, status: str) -> bool:
    """Mark a review open or resolved; False when there is no such review."""
    statement = update(intake_reviews).where(intake_reviews.c.id == review_id).values(status=status)
    return conn.execute(statement).rowcount == 1


def _review(row: Any) -> Record:
    return {
        "id": row.id,
        "source": row.source,
        "received_at": format_instant(to_aware(row.received_at)),
        "reason": row.reason,
        "payload": row.payload,
        "status": row.status,
    }


def all_member_ids(conn: Connection) -> list[str]:
    """Every stored member's plan member id, in order."""
    query = select(member_records.c.member_id).order_by(member_records.c.member_id)
    return [row.member_id for row in conn.execute(query)]


def record_job_run(
    conn: Connection, job: str, as_of: str, started_at: datetime, summary: Record
) -> Record:
    """Keep one finished run of a scheduled job; returns it as `last_job_run` shows it."""
    values = {
        "id": str(uuid.uuid4()),
        "job": job,
        "as_of": as_of,
        "started_at": started_at,
        "finished_at": _now(),
        "summary": summary,
    }
    conn.execute(insert(job_runs).values(values))
    return _job_run(values)


def last_job_run(conn: Connection, job: str) -> Record | None:
    """The job's most recent run, or None when it never ran."""
    query = (
        select(job_runs)
        .where(job_runs.c.job == job)
        .order_by(job_runs.c.finished_at.desc(), job_runs.c.as_of.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return _job_run(dict(row)) if row else None


def _job_run(row: Record) -> Record:
    return {
        "job": row["job"],
        "as_of": row["as_of"],
        "started_at": format_instant(to_aware(row["started_at"])),
        "finished_at": format_instant(to_aware(row["finished_at"])),
        "summary": row["summary"],
    }
