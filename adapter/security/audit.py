"""AuditEvents (R4, RESTful interaction) for every access, stored before the response is sent.

Requests hand their event to one writer thread and wait until it is committed: events arriving
together share a transaction (group commit). Hostile bytes are escaped before storage, and an
event the database refuses is retried alone, so it never takes other events down with it.
"""

from __future__ import annotations

import atexit
import base64
import logging
import queue
import re
import threading
import time
import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapter import clock
from adapter.canonical import BASE
from adapter.security.audit_store import audit_appender
from adapter.security.compartments import cbo_reference, plan_reference
from adapter.security.principal import Principal

log = logging.getLogger(__name__)

ACTIONS = {
    "create": "C",
    "read": "R",
    "vread": "R",
    "search": "R",
    "history": "R",
    "update": "U",
    "delete": "D",
    "validate": "E",
    "transaction": "E",
    "batch": "E",
}
# http://hl7.org/fhir/restful-interaction codes for AuditEvent.subtype.
SUBTYPES = {"search": "search-type", "history": "history-instance", "validate": "operation"}
OUTCOME_SUCCESS, OUTCOME_MINOR, OUTCOME_SERIOUS = "0", "4", "8"
# Events per store transaction (about 0.3 ms each): larger batches hold the write gate longer.
BATCH_SIZE = 200
# Writer threads on PostgreSQL, each with its own connection: while one batch waits for its
# commit to be flushed, the next is already on its way. More would hold more connections for
# little gain: a third batch would wait for the same disk flushes.
POSTGRES_WRITERS = 2
# Events waiting to be stored; when the store falls behind, requests wait rather than the
# trail losing events or growing without bound.
MAX_QUEUED = 1000
SHUTDOWN_FLUSH_SECONDS = 10.0
# A request whose event is not stored within this many seconds fails instead of going unaudited.
STORE_TIMEOUT_SECONDS = 30.0
# C0 controls (NUL among them, which PostgreSQL text refuses) and lone surrogates.
_HOSTILE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def writers_for(store: Any) -> int:
    engine = getattr(store, "engine", None)
    return POSTGRES_WRITERS if engine is not None and engine.dialect.name == "postgresql" else 1


class AuditFailure(Exception):
    """An access could not be recorded; the request must not succeed unaudited."""


def escape_text(text: str) -> str:
    """`text` with control characters and lone surrogates written as `\\xNN` / `\\uNNNN`."""
    return _HOSTILE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_all(value: Any) -> Any:
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, dict):
        return {key: _escape_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escape_all(item) for item in value]
    return value


@dataclass(frozen=True)
class Access:
    """One request as the audit sees it."""

    interaction: str
    status: int
    resource_type: str | None = None
    resource_id: str | None = None
    query: bytes = b""
    address: str | None = None


def outcome_code(status: int) -> str:
    if status < 400:
        return OUTCOME_SUCCESS
    return OUTCOME_MINOR if status < 500 else OUTCOME_SERIOUS


def audit_event(principal: Principal | None, access: Access, when: datetime) -> dict[str, Any]:
    """The AuditEvent for one access; `principal` None when no caller could be identified."""
    subtype = SUBTYPES.get(access.interaction, access.interaction)
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": str(uuid.uuid4()),
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
            "display": "RESTful Operation",
        },
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": subtype}],
        "action": ACTIONS.get(access.interaction, "E"),
        "recorded": when.isoformat(),
        "outcome": outcome_code(access.status),
        "outcomeDesc": f"HTTP {access.status}",
        "agent": _agents(principal, access.address),
        "source": {
            "observer": {"display": "ltsc-adapter"},
            "type": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/security-source-type",
                    "code": "4",
                    "display": "Application Server",
                }
            ],
        },
    }
    if entity := _entity(access):
        event["entity"] = [entity]
    return _escape_all(event)


def _agents(principal: Principal | None, address: str | None) -> list[dict[str, Any]]:
    client: dict[str, Any] = {
        "who": {
            "identifier": {
                "system": f"{BASE}/NamingSystem/client-id",
                "value": principal.client_id if principal else "anonymous",
            }
        },
        "requestor": True,
    }
    if principal is not None:
        client["altId"] = principal.subject
    if address:
        client["network"] = {"address": address, "type": "2"}
    agents = [client]
    if organization := _organization(principal):
        agents.append({"who": {"reference": organization}, "requestor": False})
    return agents


def _organization(principal: Principal | None) -> str | None:
    if principal is None or not principal.org_id:
        return None
    if principal.org_kind == "cbo":
        return cbo_reference(principal.org_id)
    if principal.org_kind in ("plan", "ehr"):
        return plan_reference(principal.org_id)
    return None


def _entity(access: Access) -> dict[str, Any] | None:
    if access.resource_type and access.resource_id:
        return {"what": {"reference": f"{access.resource_type}/{access.resource_id}"}}
    entity: dict[str, Any] = {}
    if access.resource_type:
        entity["description"] = access.resource_type
    if access.query:
        entity["query"] = base64.b64encode(access.query).decode("ascii")
    return entity or None


@dataclass
class _Pending:
    """One event on its way to the store, and the request waiting for it."""

    event: dict[str, Any]
    done: threading.Event
    stored: bool = False


class AuditTrail:
    """Stores AuditEvents from background writer threads; `record` returns once its event is
    stored.

    Events that arrive while a batch is being written form the next batch. On PostgreSQL two
    writers take turns, each on its own connection: most of a batch's time is the wait for the
    commit to reach the disk, and the next batch is sent meanwhile instead of queueing behind it.
    SQLite admits one writer at a time, so it keeps one. When MAX_QUEUED events are waiting,
    requests wait for room. `record` raises AuditFailure when its event could not be stored;
    events the store refuses are counted in `failed` and logged.
    """

    def __init__(self, store: Any, write_gate: AbstractContextManager[Any] | None = None) -> None:
        self.store = store
        self.write_gate = write_gate or nullcontext()
        self.writers = writers_for(store)
        self.failed = 0
        self._queue: queue.Queue[_Pending] = queue.Queue(MAX_QUEUED)
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._local = threading.local()

    def record(
        self,
        principal: Principal | None,
        access: Access,
        *,
        timeout: float = STORE_TIMEOUT_SECONDS,
    ) -> None:
        pending = _Pending(audit_event(principal, access, clock.now()), threading.Event())
        self._queue.put(pending)
        self._ensure_threads()
        if not pending.done.wait(timeout):
            raise AuditFailure("The access could not be recorded in time")
        if not pending.stored:
            raise AuditFailure("The access could not be recorded")

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued event is stored; False if `timeout` seconds passed first."""
        if timeout is None:
            self._queue.join()
            return True
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self._queue.unfinished_tasks

    def _flush_at_exit(self) -> None:
        if not self.flush(SHUTDOWN_FLUSH_SECONDS):
            log.error("%d audit events were not stored before exit", self._queue.unfinished_tasks)

    def _ensure_threads(self) -> None:
        with self._start_lock:
            if not self._threads:
                atexit.register(self._flush_at_exit)
            alive = [thread for thread in self._threads if thread.is_alive()]
            while len(alive) < self.writers:
                thread = threading.Thread(target=self._run, name="audit", daemon=True)
                thread.start()
                alive.append(thread)
            self._threads = alive

    def _run(self) -> None:
        self._local.appender = audit_appender(self.store)
        while True:
            batch = [self._queue.get()]
            while len(batch) < BATCH_SIZE:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._store(batch)
            finally:
                for pending in batch:
                    pending.done.set()
                    self._queue.task_done()

    def _store(self, batch: list[_Pending]) -> None:
        if self._write([p.event for p in batch]):
            for pending in batch:
                pending.stored = True
            return
        # One refused event must not cost the others: store them one at a time.
        for pending in batch:
            pending.stored = len(batch) > 1 and self._write([pending.event])
            if not pending.stored:
                self.failed += 1
                log.error("could not store audit event %s", pending.event.get("id"))

    def _write(self, events: list[dict[str, Any]]) -> bool:
        try:
            with self.write_gate:
                self._local.appender.append(events)
        except Exception:  # the audit thread must survive any store failure
            log.exception("could not store %d audit events", len(events))
            return False
        return True
