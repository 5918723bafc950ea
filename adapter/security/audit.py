"""AuditEvents (R4, RESTful interaction) for every access, written in batches off the request."""

from __future__ import annotations

import atexit
import base64
import logging
import queue
import threading
import time
import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapter import clock
from adapter.canonical import BASE
from adapter.security.audit_store import append_audit_events
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
GATHER_SECONDS = 0.05
# Events waiting to be stored; when the store falls behind, requests wait rather than the
# trail losing events or growing without bound.
MAX_QUEUED = 1000
SHUTDOWN_FLUSH_SECONDS = 10.0


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
    return event


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


class AuditTrail:
    """Queues AuditEvents and stores them in batches from one background thread.

    Requests do not wait on the audit write unless MAX_QUEUED events are already waiting (then
    they wait for room: nothing is lost). `flush()` waits until all queued events are stored
    (tests, shutdown). Events the store refuses are counted and logged, never dropped silently.
    """

    def __init__(self, store: Any, write_gate: AbstractContextManager[Any] | None = None) -> None:
        self.store = store
        self.write_gate = write_gate or nullcontext()
        self.failed = 0
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def record(self, principal: Principal | None, access: Access) -> None:
        self._queue.put(audit_event(principal, access, clock.now()))
        self._ensure_thread()

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

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit", daemon=True)
                self._thread.start()
                atexit.register(self._flush_at_exit)

    def _run(self) -> None:
        while True:
            events = [self._queue.get()]
            # Let a batch gather: one wake-up per interval, not one per request.
            time.sleep(GATHER_SECONDS)
            while len(events) < BATCH_SIZE:
                try:
                    events.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._store(events)
            finally:
                for _ in events:
                    self._queue.task_done()

    def _store(self, events: list[dict[str, Any]]) -> None:
        try:
            with self.write_gate:
                append_audit_events(self.store, events)
        except Exception:  # the audit thread must survive any store failure
            self.failed += len(events)
            log.exception("could not store %d audit events", len(events))
