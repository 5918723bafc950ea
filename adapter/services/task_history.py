"""A member's Bundle stored so every Task history replays through the state machine, with one
Provenance per Task version.

    write_member_bundle(store, bundle, author, before_commit=..., on_change=...)

Before the Bundle's own entries, each Task whose status moves further than one allowed step
gets the intermediate versions (adapter.rules.task_paths), in order; a status the tables can
never reach from the stored one refuses the whole write with an issue naming the Task and both
states. After the entries, every Task version written gets its Provenance: `target` that
version, `entity` the version before it, `agent` whoever the move belongs to (the `Author`).
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from adapter import clock
from adapter.canonical import profile_url
from adapter.config import PROFILES_DIR
from adapter.errors import Unprocessable
from adapter.mapping.ids import resource_id
from adapter.mapping.specs import code_system_displays
from adapter.rules.task_paths import contradiction, interim_task, move_actor, status_path
from adapter.rules.task_states import OWNER, REQUESTER, TERMINAL, task_kind
from adapter.services.referral_events import is_referral
from adapter.store import Store, bundles
from adapter.store.dates import format_instant
from adapter.store.writes import (
    Listener,
    VersionWriter,
    read_current,
    read_version,
    unchanged_resources,
)

Record = dict[str, Any]
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
ADAPTER_AGENT = "LTS-C FHIR Adapter rules"
# What a CBO records on the referral Task it owns (Gravity SDOH Clinical Care performer).
CBO_ELEMENTS = (
    "status", "statusReason", "businessStatus", "output", "executionPeriod", "note", "lastModified"
)  # fmt: skip


@dataclass(frozen=True)
class Author:
    """Who a change comes from.

    `channel`: `plan-export` (the plan's records say so), `event` (one item of the record,
    e.g. an ADT message or a web app action), `task-update` (a partner moved `task_id`).
    `role` is the party the author acts as on `task_id` (requester or owner), `who` its
    reference when known (a CBO Organization, an LTS-C PractitionerRole). Tasks that change
    only because the rules re-evaluated the member are the adapter's own moves.
    """

    channel: str = "plan-export"
    task_id: str | None = None
    role: str | None = None
    who: str | None = None


PLAN_EXPORT = Author()
# Set while the member service writes a Bundle: it writes its Tasks' Provenance itself.
_MEMBER_WRITE: ContextVar[bool] = ContextVar("member_write", default=False)


class TaskProvenanceListener:
    """`store.add_listener(...)`: a Provenance for each Task version written outside the
    member service (a partner's move through the API or a poll), in the same transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, conn: Connection, change: Record) -> None:
        task = change.get("resource")
        if change["type"] != "Task" or task is None or _MEMBER_WRITE.get():
            return
        number = int(change["version"])
        row = read_version(conn, "Task", change["id"], number - 1) if number > 1 else None
        previous = orjson.loads(row.content) if row is not None and not row.deleted else None
        old, new = (previous or {}).get("status"), task.get("status")
        kind = task_kind(task)
        fallback = OWNER if task.get("owner") else REQUESTER
        moved = kind is not None and new is not None and old != new
        actor = (move_actor(kind, old, new, OWNER) if moved else None) or fallback
        who = (task.get(actor) or {}).get("reference")
        author = Author(channel="task-update", task_id=change["id"], role=actor, who=who)
        pid, provenance = _provenance(TaskVersion(task, number, old, actor), author)
        if read_current(conn, "Provenance", pid) is not None:
            return  # a partner's copy: the Provenance came with it
        others = [listener for listener in self.store.listeners if listener is not self]
        VersionWriter(conn, others).save("Provenance", pid, provenance)


def attach_task_provenance(store: Store) -> None:
    """Add the store's TaskProvenanceListener once."""
    attached = getattr(store, "listeners", ())
    if not any(isinstance(listener, TaskProvenanceListener) for listener in attached):
        store.add_listener(TaskProvenanceListener(store))


def task_update_author(task: Record) -> Author:
    """A partner's move of its own Task: the owner acting, as the owner reference says."""
    owner = (task.get("owner") or {}).get("reference")
    return Author(channel="task-update", task_id=task.get("id"), role=OWNER, who=owner)


@dataclass(frozen=True)
class TaskVersion:
    """One Task version written: the move it made and who made it."""

    task: Record
    version: int
    old_status: str | None
    actor: str | None


def write_member_bundle(
    store: Store,
    bundle: Record,
    author: Author = PLAN_EXPORT,
    *,
    before_commit: Callable[[Connection], None] | None = None,
    on_change: Listener | None = None,
    first: Callable[[VersionWriter], None] | None = None,
) -> Record:
    """The Bundle in one database transaction, Task histories filled in; its response.
    `first(writer)` runs before the entries, in the same transaction (an API's own Task)."""
    bundles.check_bundle(bundle, "transaction")
    written: list[TaskVersion] = []
    moves: dict[str, deque[tuple[str | None, str | None]]] = {}

    def heard(_conn: Connection, change: Record) -> None:
        if change["type"] == "Task" and change["resource"] is not None:
            task = change["resource"]
            planned = moves.get(change["id"])
            old, actor = planned.popleft() if planned else (task.get("status"), None)
            written.append(TaskVersion(task, int(change["version"]), old, actor))

    extra = [heard, *([on_change] if on_change else [])]
    token = _MEMBER_WRITE.set(True)
    try:
        return _write(store, bundle, author, extra, moves, written, before_commit, first)
    finally:
        _MEMBER_WRITE.reset(token)


def _write(
    store: Store,
    bundle: Record,
    author: Author,
    extra: list[Listener],
    moves: dict[str, deque[tuple[str | None, str | None]]],
    written: list[TaskVersion],
    before_commit: Callable[[Connection], None] | None,
    first: Callable[[VersionWriter], None] | None = None,
) -> Record:
    with store.writing(extra) as writer:
        if first is not None:
            first(writer)
        bundle = _with_replacements(writer, _with_cbo_moves(writer, bundle), moves)
        for entry in bundle.get("entry") or []:
            task = entry.get("resource") or {}
            if task.get("resourceType") == "Task" and task.get("id"):
                moves[task["id"]] = deque(_moves(writer, task, author))
                _write_interim(writer, task, moves[task["id"]])
        response = bundles.Transaction(store, writer).run(_without_unchanged(writer, bundle))
        for version in written:
            writer.save("Provenance", *_provenance(version, author))
        if before_commit is not None:
            before_commit(writer.conn)
        return response


def _without_unchanged(writer: VersionWriter, bundle: Record) -> Record:
    """The Bundle less each plain PUT of a resource stored as it is, all read in one query.

    Such a write changes nothing (the store would compare and skip it, one read each), so no
    version, index row, Provenance or outbox entry is lost. Entries another entry refers to by
    fullUrl, and Bundles naming one resource twice, are left whole for the transaction to judge.
    """
    entries = bundle.get("entry") or []
    plain = {i: e["resource"] for i, e in enumerate(entries) if _plain_put(e)}
    keys = [(r["resourceType"], r["id"]) for r in plain.values()]
    if not plain or len(set(keys)) != len(keys):
        return bundle
    unchanged = unchanged_resources(writer.conn, list(plain.values()))
    if not unchanged:
        return bundle
    text = orjson.dumps(bundle)
    kept = [
        entry
        for i, entry in enumerate(entries)
        if i not in plain
        or (plain[i]["resourceType"], plain[i]["id"]) not in unchanged
        or _referred_to(text, entry.get("fullUrl"))
    ]
    return {**bundle, "entry": kept}


def _plain_put(entry: Record) -> bool:
    """A PUT of `Type/id` with that resource in it, no condition attached."""
    resource, request = entry.get("resource"), entry.get("request") or {}
    if not isinstance(resource, dict) or request.get("method") != "PUT" or "ifMatch" in request:
        return False
    url = f"{resource.get('resourceType')}/{resource.get('id')}"
    return request.get("url") == url


def _referred_to(text: bytes, full_url: Any) -> bool:
    return isinstance(full_url, str) and b'"reference":' + orjson.dumps(full_url) in text


def _with_cbo_moves(writer: VersionWriter, bundle: Record) -> Record:
    """The Bundle with each referral Task keeping what its CBO recorded on it.

    The CBO owns a referral's status, reason, outputs and execution period; the plan's record
    only knows when the LTS-C stopped serving. So the stored CBO elements stand unless the
    record has news (a final status) for an open referral.
    """
    entries = []
    for entry in bundle.get("entry") or []:
        task = entry.get("resource") or {}
        stored = _stored(writer, task["id"]) if _performer_owned(task) else None
        if stored is not None and (task.get("status") == "requested" or _final(stored)):
            ours = task
            task = {k: v for k, v in task.items() if k not in CBO_ELEMENTS}
            task |= {k: stored[k] for k in CBO_ELEMENTS if k in stored}
            if _final(stored) and _outputs_missing(stored, ours):
                task["output"] = [*(stored.get("output") or []), *_outputs_missing(stored, ours)]
            entry = {**entry, "resource": task}
        entries.append(entry)
    return {**bundle, "entry": entries}


def _performer_owned(task: Record) -> bool:
    """A referral, or a fulfillment a vendor or CBO owns: the performer records its moves."""
    if task.get("resourceType") != "Task":
        return False
    owner = str((task.get("owner") or {}).get("reference") or "")
    vendor_owned = task_kind(task) == "fulfillment" and owner.startswith("Organization/vendor-")
    return is_referral(task) or vendor_owned


def _outputs_missing(stored: Record, ours: Record) -> list[Record]:
    """Our outputs of a type the performer's Task does not carry (the resulting activity)."""
    have = {_io_code(o) for o in stored.get("output") or []}
    return [o for o in ours.get("output") or [] if _io_code(o) not in have]


def _io_code(entry: Record) -> str | None:
    return next((c.get("code") for c in (entry.get("type") or {}).get("coding") or []), None)


def _final(task: Record) -> bool:
    return task.get("status") in TERMINAL


def _with_replacements(
    writer: VersionWriter,
    bundle: Record,
    moves: dict[str, deque[tuple[str | None, str | None]]],
) -> Record:
    """The Bundle with each re-opened final Task written as a new Task that replaces it.

    A final Task (completed, cancelled, ...) never moves again; when the member's record now
    says the work is open again (an event reported in error and corrected), the open work is
    a new Task `{id}-r{n}`, and every reference in the Bundle follows it.
    """
    renamed: dict[str, str] = {}
    for entry in bundle.get("entry") or []:
        task = entry.get("resource") or {}
        kind = task_kind(task) if task.get("resourceType") == "Task" else None
        if kind is None or not task.get("id"):
            continue
        target, number = task["id"], 1
        while (stored := _stored(writer, target)) is not None:
            old = stored.get("status")
            if status_path(kind, old, task["status"]) is not None or not _replaceable(stored, task):
                break
            number += 1
            successor = resource_id(task["id"], f"r{number}")
            if old not in TERMINAL:  # open work that cannot get there: closed, pointing on
                moves[stored["id"]] = deque([(old, REQUESTER)])
                _close(writer, kind, stored, successor)
            target = successor
        if target != task["id"]:
            renamed[f"Task/{task['id']}"] = f"Task/{target}"
    if not renamed:
        return bundle
    text = orjson.dumps(bundle).decode()
    for old_ref, new_ref in renamed.items():
        text = text.replace(f'"{old_ref}"', f'"{new_ref}"')
        old_id, new_id = old_ref.removeprefix("Task/"), new_ref.removeprefix("Task/")
        text = text.replace(f'"id":"{old_id}"', f'"id":"{new_id}"')
    return orjson.loads(text)


def _replaceable(stored: Record, task: Record) -> bool:
    """Whether new work may take over: a final Task re-opened, or paused work resumed in a way
    the tables do not allow (wait-listed, then a vendor found). Work sent back to the start
    is a contradiction, refused."""
    return stored.get("status") in TERMINAL or (
        stored.get("status") == "on-hold" and task.get("status") != "requested"
    )


def _close(writer: VersionWriter, kind: str, stored: Record, successor: str) -> None:
    """Cancel open work that a new Task takes over, saying which."""
    closed = {k: v for k, v in stored.items() if k != "meta"}
    closed["meta"] = {k: v for k, v in (stored.get("meta") or {}).items() if k == "profile"}
    closed["status"] = "cancelled"
    closed["statusReason"] = {"text": f"continued in Task/{successor}"}
    if status_path(kind, stored.get("status"), "cancelled") == ["cancelled"]:
        writer.save("Task", stored["id"], closed)


def _stored(writer: VersionWriter, task_id: str) -> Record | None:
    row = read_current(writer.conn, "Task", task_id)
    return None if row is None or row.deleted else orjson.loads(row.content)


def _moves(
    writer: VersionWriter, task: Record, author: Author
) -> list[tuple[str | None, str | None]]:
    """(status before, actor) of each version about to be written, the Bundle's last."""
    stored = _stored(writer, task["id"])
    kind = task_kind(task)
    old = stored.get("status") if stored else None
    new = task.get("status")
    wanted = _wanted_role(author, task["id"])
    if kind is None or new is None:
        return [(old, wanted)]
    path = status_path(kind, old, new)
    if path is None:
        raise Unprocessable(
            f"Task/{task['id']} cannot move from {old} to {new}",
            issues=[contradiction(task["id"], old, new)],
        )
    if not path:  # same status: whoever may hold the Task there changed its details
        return [(old, wanted or REQUESTER)]
    steps = []
    for step in path:
        steps.append((old, move_actor(kind, old, step, wanted)))
        old = step
    return steps


def _write_interim(
    writer: VersionWriter, task: Record, moves: deque[tuple[str | None, str | None]]
) -> None:
    """The versions before the Bundle's: the Task at each intermediate status, in order."""
    kind = task_kind(task)
    statuses = [old for old, _ in list(moves)[1:]]
    for status in statuses:
        if kind is not None and status is not None:
            writer.save("Task", task["id"], interim_task(kind, task, status, _business_displays()))


def _wanted_role(author: Author, task_id: str) -> str | None:
    return author.role if author.task_id == task_id else None


@functools.cache
def _business_displays() -> dict[str, str]:
    tables = code_system_displays(PROFILES_DIR)
    return {**tables.get("service-business-status", {}), **tables.get("offer-business-status", {})}


def _provenance(version: TaskVersion, author: Author) -> tuple[str, Record]:
    """(id, Provenance) for one Task version."""
    task, number = version.task, version.version
    reference = f"Task/{task['id']}/_history/{number}"
    provenance: Record = {
        "resourceType": "Provenance",
        "meta": {"profile": [profile_url("onecare-provenance")]},
        "target": [{"reference": reference}],
    }
    occurred = _occurred(task, version.old_status)
    if occurred:
        provenance["occurredDateTime"] = occurred
    provenance["recorded"] = format_instant(clock.utcnow_naive())
    operation = "CREATE" if number == 1 else "UPDATE"
    provenance["activity"] = {"coding": [{"system": DATA_OPERATION, "code": operation}]}
    provenance["agent"] = [_agent(task, version, author)]
    if number > 1:
        previous = f"Task/{task['id']}/_history/{number - 1}"
        provenance["entity"] = [{"role": "revision", "what": {"reference": previous}}]
    pid = resource_id("prov", task["id"], f"v{number}")
    return pid, provenance


def _agent(task: Record, version: TaskVersion, author: Author) -> Record:
    """The party the move belongs to; the author itself when it made this Task's move."""
    party = task.get(version.actor or "") if version.actor in (REQUESTER, OWNER) else None
    agent: Record = {
        "type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "author"}]},
    }
    own_move = author.task_id == task["id"] and author.channel == "task-update"
    if own_move and author.who and author.role == version.actor:
        agent["who"] = {"reference": author.who}
        if party and party.get("reference") != author.who:
            agent["onBehalfOf"] = {"reference": party["reference"]}
    elif author.channel == "plan-export" or own_move:
        agent["who"] = {"reference": party["reference"]} if party else {"display": "unknown"}
    else:  # the rules re-evaluated the member after someone else's change
        agent["who"] = {"display": ADAPTER_AGENT}
        if party:
            agent["onBehalfOf"] = {"reference": party["reference"]}
    if version.actor:
        agent["role"] = [{"text": version.actor}]
    return agent


def _occurred(task: Record, old: str | None) -> str | None:
    """The day the record gives for the move into the Task's status, when it gives one."""
    period = task.get("executionPeriod") or {}
    status = task.get("status")
    if status in TERMINAL:
        return period.get("end") or None
    if status == "in-progress":
        return period.get("start") or None
    if old is None:
        return task.get("authoredOn") or None
    return None
