"""The moves that take a Task from its stored status to a later one through the state machine.

A batch export says where a Task stands now, not how it got there; `status_path` finds the
shortest run of allowed moves (adapter.rules.task_states), and `interim_task` writes the Task as
it stood at each intermediate step. Pure: no store, no clock.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any

from adapter.canonical import code_system_url
from adapter.outcome import Issue
from adapter.rules.task_states import (
    OWNER,
    REASON_REQUIRED,
    REQUESTER,
    TABLES,
    TERMINAL,
)

Task = dict[str, Any]

# Breadth-first order: the ordinary way forward first, detours (on-hold, draft) last.
_PREFERRED = (
    "requested", "ready", "received", "accepted", "in-progress", "completed", "rejected",
    "failed", "cancelled", "on-hold", "draft", "entered-in-error",
)  # fmt: skip
# Outputs that only exist once the work is decided or done.
OUTCOME_OUTPUTS = frozenset({"offer-decision", "chosen-ltsc", "resulting-activity"})
# What the business status was while a Task stood at an intermediate status.
INTERIM_BUSINESS = {
    ("offer", "ready"): "due",
    ("offer", "in-progress"): "offered",
    ("authorization", "requested"): "pending-authorization",
    ("authorization", "accepted"): "pending-authorization",
    ("authorization", "in-progress"): "pending-authorization",
    ("fulfillment", "requested"): "authorized",
    ("fulfillment", "in-progress"): "in-service",
}
IMPLIED_REASON = "a step the later record implies; the record gives no reason"
# Who makes a move when the change does not say: the requester sets work up, the owner does it.
ACTOR_PREFERENCE = (REQUESTER, OWNER)


def status_path(kind: str, old: str | None, new: str) -> list[str] | None:
    """The statuses after `old` up to `new` (empty when equal); None when no allowed path."""
    if old == new:
        return []
    edges = TABLES.get(kind)
    if edges is None:
        return None
    following: dict[str | None, list[str]] = {}
    for source, target in edges:
        if target != "entered-in-error" or target == new:
            following.setdefault(source, []).append(target)
    came_from: dict[str, str | None] = {}
    queue: deque[str | None] = deque([old])
    while queue:
        at = queue.popleft()
        for step in sorted(following.get(at, []), key=_PREFERRED.index):
            if step in came_from or step == old:
                continue
            came_from[step] = at
            if step == new:
                return _walk_back(came_from, old, new)
            queue.append(step)
    return None


def _walk_back(came_from: dict[str, str | None], old: str | None, new: str) -> list[str]:
    path = [new]
    while (previous := came_from[path[-1]]) != old:
        path.append(previous)  # type: ignore[arg-type]
    return path[::-1]


def move_actor(kind: str, old: str | None, new: str, wanted: str | None = None) -> str | None:
    """Who makes the move: `wanted` when the tables let them, else the requester or owner."""
    allowed = TABLES.get(kind, {}).get((old, new))
    if not allowed:
        return None
    if wanted in allowed:
        return wanted
    return next((a for a in ACTOR_PREFERENCE if a in allowed), None)


def interim_task(kind: str, final: Task, status: str, displays: dict[str, str]) -> Task:
    """`final` as it stood at an intermediate `status`: no outcome yet, no end, no reason
    unless the status needs one."""
    task = copy.deepcopy(final)
    task["status"] = status
    task.pop("meta", None)
    business = INTERIM_BUSINESS.get((kind, status))
    if status not in REASON_REQUIRED and business is not None:
        task.pop("statusReason", None)  # the reason belongs to the later business status
    elif not (task.get("statusReason") or {}).get("text"):
        task["statusReason"] = {"text": IMPLIED_REASON}
    if status not in TERMINAL:
        period = {k: v for k, v in (task.get("executionPeriod") or {}).items() if k != "end"}
        task.pop("executionPeriod", None)
        if period:
            task["executionPeriod"] = period
        outputs = [o for o in task.get("output") or [] if _io_code(o) not in OUTCOME_OUTPUTS]
        task.pop("output", None)
        if outputs:
            task["output"] = outputs
    if kind == "fulfillment" and status == "accepted" and not task.get("output"):
        # Accepting names when the work starts, else who will do it (VENDOR-FILL).
        start = (task.get("executionPeriod") or {}).get("start")
        if start:
            task["output"] = [_io("expected-start", "Expected start", valueDate=start)]
        elif task.get("owner"):
            task["output"] = [_io("vendor", "Vendor", valueReference=dict(task["owner"]))]
    if business is not None and task.get("businessStatus"):
        coding = dict((task["businessStatus"].get("coding") or [{}])[0])
        coding.update(code=business, display=displays.get(business, business))
        task["businessStatus"] = {"coding": [coding]}
    if "meta" in final:
        task["meta"] = {k: v for k, v in final["meta"].items() if k not in ("versionId",)}
    return task


def contradiction(task_id: str, old: str | None, new: str) -> Issue:
    """A change the tables can never reach from the stored status (a final Task re-opened)."""
    final = " (it is final)" if old in TERMINAL else ""
    return Issue(
        "error",
        "business-rule",
        f"Task/{task_id} is {old}{final} and cannot become {new}; "
        "record a new Task rather than re-open this one",
        (f"Task/{task_id}.status",),
    )


def _io(code: str, display: str, **value: Any) -> dict[str, Any]:
    coding = {"system": code_system_url("task-io-type"), "code": code, "display": display}
    return {"type": {"coding": [coding]}, **value}


def _io_code(entry: dict[str, Any]) -> str | None:
    return next((c.get("code") for c in (entry.get("type") or {}).get("coding") or []), None)
