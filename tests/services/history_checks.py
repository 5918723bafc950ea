"""Replaying stored Task histories through the state machine, with each version's Provenance."""

from __future__ import annotations

from adapter.rules.task_states import OWNER, REQUESTER, TABLES, check_transition, task_kind
from adapter.store import Store

ADAPTER_AGENT = "LTS-C FHIR Adapter rules"


def all_task_ids(store: Store) -> list[str]:
    ids: list[str] = []
    params: list[tuple[str, str]] | None = [("_count", "1000")]
    while params is not None:
        page = store.search("Task", params)
        ids += [m.id for m in page.matches]
        params = page.next_params
    return ids


def versions(store: Store, task_id: str) -> list[dict]:
    page = store.history("Task", task_id, count=1000)
    return [e.resource for e in sorted(page.entries, key=lambda e: int(e.version_id))]


def replay_problems(store: Store, task_id: str) -> list[str]:
    """What is wrong with one Task's history: an edge the tables refuse, a version without its
    Provenance, or a Provenance whose agent may not make the move."""
    problems = []
    previous: dict | None = None
    for task in versions(store, task_id):
        number = int(task["meta"]["versionId"])
        kind = task_kind(task)
        old = previous["status"] if previous else None
        edge = (old, task["status"])
        allowed = TABLES[kind].get(edge) if kind else None
        moved = previous is None or old != task["status"]
        if moved and allowed is None:
            problems.append(f"Task/{task_id} v{number}: {old} -> {task['status']} is not allowed")
        problems += _provenance_problems(store, task, number, allowed if moved else None)
        if moved and allowed and kind:
            role = REQUESTER if REQUESTER in allowed else OWNER
            issues = check_transition(kind, _bare(previous), _bare(task), role)
            problems += [f"Task/{task_id} v{number}: {i.message}" for i in issues if i.is_error]
        previous = task
    return problems


def _provenance_problems(
    store: Store, task: dict, number: int, allowed: frozenset[str] | None
) -> list[str]:
    where = f"Task/{task['id']} v{number}"
    target = f"Task/{task['id']}/_history/{number}"
    found = store.search("Provenance", [("target", target), ("_count", "1000")])
    mine = [m.resource for m in found.matches if _targets(m.resource) == [target]]
    if len(mine) != 1:
        return [f"{where}: {len(mine)} Provenance resources target this version"]
    provenance = mine[0]
    problems = []
    if number > 1:
        previous = f"Task/{task['id']}/_history/{number - 1}"
        entities = [e["what"].get("reference") for e in provenance.get("entity") or []]
        if entities != [previous]:
            problems.append(f"{where}: Provenance entity {entities} is not {previous}")
    agent = provenance["agent"][0]
    role = (agent.get("role") or [{}])[0].get("text")
    parties = {REQUESTER: _ref(task.get("requester")), OWNER: _ref(task.get("owner"))}
    acting_for = _ref(agent.get("onBehalfOf")) or _ref(agent.get("who"))
    if allowed is not None and role not in allowed:
        problems.append(f"{where}: the {role} may not make this move ({sorted(allowed)})")
    if role not in parties or acting_for != parties[role]:
        problems.append(f"{where}: agent {agent} does not act as the Task's {role}")
    return problems


def _bare(task: dict | None) -> dict | None:
    return None if task is None else {k: v for k, v in task.items() if k != "meta"}


def _targets(provenance: dict) -> list[str | None]:
    return [_ref(t) for t in provenance.get("target") or []]


def _ref(value: dict | None) -> str | None:
    return (value or {}).get("reference")
