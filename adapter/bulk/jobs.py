"""Export jobs in the `bulk_export_job` table: create, read, claim, progress, finish, cancel."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine, and_, or_, select, update

from adapter import clock
from adapter.security.principal import Principal
from adapter.store.schema import bulk_export_jobs as jobs

ACCEPTED, RUNNING, COMPLETED, FAILED, CANCELLED, EXPIRED = (
    "accepted", "in-progress", "completed", "error", "cancelled", "expired",
)  # fmt: skip
OPEN = (ACCEPTED, RUNNING)


@dataclass
class ExportJob:
    """One `$export` request and where it stands."""

    id: str
    status: str
    client_id: str
    principal: Principal
    request_url: str
    base_url: str
    parameters: dict[str, Any]
    created_at: dt.datetime
    transaction_time: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    progress: str | None = None
    output: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def principal_json(principal: Principal) -> str:
    return orjson.dumps(
        {
            "subject": principal.subject,
            "client_id": principal.client_id,
            "org_kind": principal.org_kind,
            "org_id": principal.org_id,
            "scopes": sorted(principal.scopes),
            "staff_id": principal.staff_id,
        }
    ).decode()


def _principal(text: str) -> Principal:
    data = orjson.loads(text)
    return Principal(
        data["subject"],
        data["client_id"],
        data["org_kind"],
        data["org_id"],
        frozenset(data["scopes"]),
        data.get("staff_id"),
    )


def create_job(
    engine: Engine,
    principal: Principal,
    request_url: str,
    base_url: str,
    parameters: dict[str, Any],
) -> str:
    job_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            jobs.insert().values(
                id=job_id,
                status=ACCEPTED,
                client_id=principal.client_id,
                principal=principal_json(principal),
                request_url=request_url,
                base_url=base_url,
                parameters=orjson.dumps(parameters).decode(),
                created_at=clock.utcnow_naive(),
                progress="queued",
            )
        )
    return job_id


def read_job(engine: Engine, job_id: str) -> ExportJob | None:
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    return _job(row) if row is not None else None


def _job(row: Any) -> ExportJob:
    return ExportJob(
        id=row.id,
        status=row.status,
        client_id=row.client_id,
        principal=_principal(row.principal),
        request_url=row.request_url,
        base_url=row.base_url,
        parameters=orjson.loads(row.parameters),
        created_at=row.created_at,
        transaction_time=row.transaction_time,
        finished_at=row.finished_at,
        expires_at=row.expires_at,
        progress=row.progress,
        output=orjson.loads(row.output) if row.output else [],
        error=row.error,
    )


def cancel_job(engine: Engine, job_id: str) -> bool:
    """Mark a job cancelled; the worker stops it and the files are removed. False if none."""
    with engine.begin() as conn:
        done = conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status.in_((*OPEN, COMPLETED)))
            .values(status=CANCELLED, progress="cancelled", expires_at=clock.utcnow_naive())
        )
    return done.rowcount == 1


def claim_next(engine: Engine, lease_seconds: float) -> ExportJob | None:
    """Take the oldest waiting job (or one whose worker died holding it), leased to us."""
    now = clock.utcnow_naive()
    claimable = or_(
        jobs.c.status == ACCEPTED, and_(jobs.c.status == RUNNING, jobs.c.lease_until < now)
    )
    with engine.begin() as conn:
        candidates = conn.execute(
            select(jobs.c.id).where(claimable).order_by(jobs.c.created_at).limit(5)
        ).scalars()
        for job_id in list(candidates):
            claimed = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, claimable)
                .values(
                    status=RUNNING,
                    transaction_time=now,
                    lease_until=now + dt.timedelta(seconds=lease_seconds),
                    progress="started",
                )
            )
            if claimed.rowcount == 1:
                row = conn.execute(select(jobs).where(jobs.c.id == job_id)).one()
                return _job(row)
    return None


def report_progress(engine: Engine, job_id: str, progress: str, lease_seconds: float) -> bool:
    """Record progress and renew the lease; False when the job was cancelled meanwhile."""
    lease = clock.utcnow_naive() + dt.timedelta(seconds=lease_seconds)
    with engine.begin() as conn:
        done = conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == RUNNING)
            .values(progress=progress[:255], lease_until=lease)
        )
    return done.rowcount == 1


def finish(engine: Engine, job_id: str, output: list[dict[str, Any]], expiry_s: float) -> bool:
    now = clock.utcnow_naive()
    with engine.begin() as conn:
        done = conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == RUNNING)
            .values(
                status=COMPLETED,
                output=orjson.dumps(output).decode(),
                finished_at=now,
                expires_at=now + dt.timedelta(seconds=expiry_s),
                progress="completed",
                lease_until=None,
            )
        )
    return done.rowcount == 1


def fail(engine: Engine, job_id: str, message: str, expiry_s: float) -> None:
    now = clock.utcnow_naive()
    with engine.begin() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == RUNNING)
            .values(
                status=FAILED,
                error=message,
                finished_at=now,
                expires_at=now + dt.timedelta(seconds=expiry_s),
                progress="failed",
                lease_until=None,
            )
        )


def due_for_removal(engine: Engine) -> list[str]:
    """Jobs whose files should go: expired completions and failures, and cancellations."""
    now = clock.utcnow_naive()
    with engine.connect() as conn:
        rows = conn.execute(
            select(jobs.c.id).where(
                or_(
                    and_(jobs.c.status.in_((COMPLETED, FAILED)), jobs.c.expires_at <= now),
                    jobs.c.status == CANCELLED,
                )
            )
        )
        return list(rows.scalars())


def mark_expired(engine: Engine, job_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status.in_((COMPLETED, FAILED, CANCELLED)))
            .values(status=EXPIRED, output=None, progress="expired")
        )
