"""Task state machines (referral/fulfillment, authorization, LTS-C offer): who may move a Task
from one status to another, and what must hold after the move."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from adapter.outcome import Issue

Task = dict[str, Any]
Edges = dict[tuple[str | None, str], frozenset[str]]

REQUESTER, OWNER, PATIENT = "requester", "owner", "patient"
STATUSES = frozenset(
    {
        "draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
        "in-progress", "on-hold", "failed", "completed", "entered-in-error",
    }
)  # fmt: skip
TERMINAL = frozenset({"rejected", "failed", "completed", "cancelled", "entered-in-error"})
REASON_REQUIRED = frozenset({"rejected", "failed", "cancelled", "on-hold"})
# A member-facing app may change only these elements of an offer Task (as Gravity allows).
PATIENT_EDITABLE = frozenset({"status", "statusReason", "output", "meta", "lastModified", "text"})


def _edges(sources: Iterable[str | None], targets: Iterable[str], *actors: str) -> Edges:
    return {(s, t): frozenset(actors) for s in sources for t in targets}


def _with_error_edges(edges: Edges, statuses: Iterable[str]) -> Edges:
    """Any recorded status may be withdrawn as entered-in-error, by the requester only."""
    return edges | _edges(statuses, ["entered-in-error"], REQUESTER)


_WORKING = ("accepted", "in-progress", "on-hold")
# Table A (referral / fulfillment) and table B (authorization) share these transitions.
FULFILLMENT_EDGES = _with_error_edges(
    _edges([None], ["draft", "requested"], REQUESTER)
    | _edges(["draft"], ["requested"], REQUESTER)
    | _edges(["requested"], ["accepted", "rejected"], OWNER)
    | _edges(["accepted"], ["in-progress"], OWNER)
    | _edges(["accepted", "in-progress"], ["on-hold"], OWNER)
    | _edges(["on-hold"], ["in-progress"], OWNER)
    | _edges(_WORKING, ["completed", "failed"], OWNER)
    | _edges(["requested", *_WORKING], ["cancelled"], REQUESTER, OWNER),
    ["draft", "requested", *_WORKING, "rejected", "completed", "failed", "cancelled"],
)
# Table B: the plan accepts an authorization for review, so it may deny it from review too.
AUTHORIZATION_EDGES = FULFILLMENT_EDGES | _edges(["accepted", "in-progress"], ["rejected"], OWNER)
# Table C (LTS-C offer): the CC owns the offer; a member-facing app may act as the owner.
OFFER_EDGES = _with_error_edges(
    _edges([None], ["ready"], REQUESTER)
    | _edges(["ready"], ["in-progress"], OWNER, PATIENT)
    | _edges(["in-progress"], ["completed"], OWNER, PATIENT)
    | _edges(["ready", "in-progress"], ["on-hold"], OWNER, PATIENT)
    | _edges(["on-hold"], ["ready", "in-progress"], OWNER, PATIENT)
    | _edges(["ready", "in-progress", "on-hold"], ["failed"], OWNER)
    | _edges(["ready", "in-progress", "on-hold"], ["cancelled"], REQUESTER),
    ["ready", "in-progress", "on-hold", "completed", "failed", "cancelled"],
)
TABLES: dict[str, Edges] = {
    "fulfillment": FULFILLMENT_EDGES,
    "authorization": AUTHORIZATION_EDGES,
    "alternative-search": FULFILLMENT_EDGES,
    "interim-alternative": FULFILLMENT_EDGES,
    "offer": OFFER_EDGES,
}
TASK_CODE_KINDS = {
    "fulfill": "fulfillment",
    "approve": "authorization",
    "ltsc-offer": "offer",
    "alternative-search": "alternative-search",
    "interim-alternative": "interim-alternative",
}


def task_kind(task: Task) -> str | None:
    """The state machine a Task follows, read from its Task.code."""
    codings = (task.get("code") or {}).get("coding") or []
    return next(
        (TASK_CODE_KINDS[c["code"]] for c in codings if c.get("code") in TASK_CODE_KINDS), None
    )


def check_transition(kind: str, old_task: Task | None, new_task: Task, actor: str) -> list[Issue]:
    """Issues (empty when allowed) for `actor` turning `old_task` into `new_task`."""
    edges = TABLES.get(kind)
    if edges is None:
        return [
            _issue("not-supported", f"No Task workflow is defined for kind {kind!r}", "Task.code")
        ]
    new = new_task.get("status")
    if new not in STATUSES:
        return [
            _issue("code-invalid", f"Task.status {new!r} is not a FHIR Task status", "Task.status")
        ]
    old = old_task.get("status") if old_task else None
    issues = _patient_edits(old_task, new_task) if actor == PATIENT else []
    if old_task is not None and old == new:
        return issues
    allowed = edges.get((old, new))
    if allowed is None:
        return [*issues, _illegal(kind, old, new)]
    if actor not in allowed:
        return [*issues, _forbidden(old, new, actor, allowed)]
    return issues + [i for check in _AFTER[kind] if (i := check(old, new_task))]


def check_snapshot(kind: str, old_task: Task, new_task: Task) -> list[Issue]:
    """Issues (empty when allowed) for a stored Task replaced by a snapshot of it (a loaded
    Bundle): a snapshot may jump ahead through several moves (ready -> completed), but never
    leaves a final status nor goes back to a status it already passed."""
    edges = TABLES.get(kind)
    old, new = old_task.get("status"), new_task.get("status")
    if edges is None or old == new:
        return []
    if new in _reachable(edges, old):
        return []
    return [_illegal(kind, old, new)]


def _reachable(edges: Edges, start: str | None) -> set[str]:
    """Every status some sequence of moves leads to from `start`."""
    found: set[str] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        for (source, target), _actors in edges.items():
            if source == current and target not in found:
                found.add(target)
                todo.append(target)
    return found


def _illegal(kind: str, old: str | None, new: str) -> Issue:
    start = f"from {old}" if old else "as a new Task"
    note = " (it is final)" if old in TERMINAL else ""
    text = f"A {kind} Task cannot move to {new} {start}{note}"
    return _issue("business-rule", text, "Task.status")


def _forbidden(old: str | None, new: str, actor: str, allowed: frozenset[str]) -> Issue:
    who = " or ".join(sorted(allowed))
    text = (
        f"Only the {who} may move a Task {f'from {old} ' if old else ''}to {new}, not the {actor}"
    )
    return _issue("forbidden", text, "Task.status")


def _patient_edits(old_task: Task | None, new_task: Task) -> list[Issue]:
    if old_task is None:
        return []
    keys = (set(old_task) | set(new_task)) - PATIENT_EDITABLE
    changed = sorted(k for k in keys if old_task.get(k) != new_task.get(k))
    return [
        _issue("forbidden", f"A member-facing app may not change Task.{k}", f"Task.{k}")
        for k in changed
    ]


def _issue(code: str, message: str, expression: str) -> Issue:
    return Issue("error", code, message, (expression,))


# --- what must hold after a transition -------------------------------------------------------

Check = Callable[[str | None, Task], Issue | None]


def _reason_given(old: str | None, task: Task) -> Issue | None:
    if task["status"] in REASON_REQUIRED and not (task.get("statusReason") or {}).get("text"):
        return _required(
            f"A Task moving to {task['status']} needs statusReason.text", "Task.statusReason"
        )
    return None


def _focus_set(old: str | None, task: Task) -> Issue | None:
    if old is None and not (task.get("focus") or {}).get("reference"):
        return _required("A new Task needs a focus (the ServiceRequest it acts on)", "Task.focus")
    return None


def _started(old: str | None, task: Task) -> Issue | None:
    if task["status"] == "in-progress" and old == "accepted" and not _period(task).get("start"):
        return _required(
            "Work in progress needs executionPeriod.start", "Task.executionPeriod.start"
        )
    return None


def _finished(old: str | None, task: Task) -> Issue | None:
    if task["status"] != "completed":
        return None
    if not _period(task).get("end"):
        return _required("A completed Task needs executionPeriod.end", "Task.executionPeriod.end")
    if not task.get("output"):
        return _required("A completed Task needs an output (what resulted)", "Task.output")
    return None


def _fulfillment_accepted(old: str | None, task: Task) -> Issue | None:
    """Accepting names the assigned LTS-C or the vendor's expected start (VENDOR-FILL)."""
    if task["status"] == "accepted" and not task.get("output"):
        return _required("An accepted fulfillment Task needs an output", "Task.output")
    return None


def _offer_created(old: str | None, task: Task) -> Issue | None:
    if old is not None:
        return None
    if not (((task.get("restriction") or {}).get("period") or {}).get("end")):
        return _required("An LTS-C offer needs its due date", "Task.restriction.period.end")
    if not task.get("owner"):
        return _required("An LTS-C offer needs its owner (the CC)", "Task.owner")
    return None


def _offer_decided(old: str | None, task: Task) -> Issue | None:
    """CHOICE: a completed offer records the decision, and the chosen LTS-C when accepted."""
    if task["status"] != "completed":
        return None
    outputs = {_output_type(o): o for o in task.get("output") or []}
    decision = outputs.get("offer-decision")
    if decision is None:
        return _required("A completed LTS-C offer needs the member's decision", "Task.output")
    if _decision_code(decision) == "accepted" and "chosen-ltsc" not in outputs:
        return _required("An accepted LTS-C offer needs the chosen LTS-C", "Task.output")
    return None


def _output_type(output: dict[str, Any]) -> str | None:
    return next((c.get("code") for c in (output.get("type") or {}).get("coding") or []), None)


def _decision_code(output: dict[str, Any]) -> str | None:
    value = output.get("valueCodeableConcept") or {}
    return next((c.get("code") for c in value.get("coding") or []), None)


def _period(task: Task) -> dict[str, Any]:
    return task.get("executionPeriod") or {}


def _required(message: str, expression: str) -> Issue:
    return Issue("error", "required", message, (expression,))


_AFTER: dict[str, tuple[Check, ...]] = {
    "fulfillment": (_reason_given, _focus_set, _fulfillment_accepted, _started, _finished),
    "authorization": (_reason_given, _focus_set, _started, _finished),
    "alternative-search": (_reason_given, _started),
    "interim-alternative": (_reason_given, _started),
    "offer": (_reason_given, _offer_created, _offer_decided),
}
