"""Chained (`owner:Organization.identifier=x`) and reverse-chained (`_has:Task:patient:status=x`)
search parameters as SQL sub-selects.

Each hop selects the ids of another type; `scope(type)` adds the caller's compartment criteria
to every hop, so a chain can only ever pass through resources the caller may see.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, Select, or_, select

from adapter.store.params import search_params
from adapter.store.query import condition, is_supported, parse_criterion
from adapter.store.schema import current, search_index

# Compartment criteria for a type (the same shape as search parameters); None = unrestricted.
Scope = Callable[[str], list[tuple[str, str]]] | None
Clause = ColumnElement[bool]
# Hops one parameter may take; deeper chains are refused rather than left to run long.
MAX_HOPS = 4


def is_chained(name: str) -> bool:
    return name.startswith("_has:") or "." in name


def chained_condition(resource_type: str, name: str, raw: str, scope: Scope) -> Clause | None:
    """The condition on `resource_current` for a chained or `_has` parameter; None if unknown."""
    return _clause(resource_type, name, raw, scope, 0)


def scope_conditions(resource_type: str, scope: Scope) -> list[Clause]:
    """The compartment criteria of a type as conditions on `resource_current`."""
    if scope is None:
        return []
    clauses = []
    for name, raw in scope(resource_type):
        criterion = parse_criterion(name, raw)
        clauses.append(condition(resource_type, criterion))
    return clauses


def _clause(resource_type: str, name: str, raw: str, scope: Scope, hops: int) -> Clause | None:
    if hops > MAX_HOPS:
        return None
    if name.startswith("_has:"):
        return _reverse(resource_type, name, raw, scope, hops)
    head, dot, rest = name.partition(".")
    if dot:
        return _forward(resource_type, head, rest, raw, scope, hops)
    criterion = parse_criterion(name, raw)
    if not is_supported(resource_type, criterion):
        return None
    return condition(resource_type, criterion)


def _ids(resource_type: str, name: str, raw: str, scope: Scope, hops: int) -> Select | None:
    """Ids of `resource_type` matching `name=raw`, within the compartment."""
    clause = _clause(resource_type, name, raw, scope, hops + 1)
    if clause is None:
        return None
    # Not correlated: this is its own scan of resource_current, not the enclosing query's row.
    return (
        select(current.c.res_id)
        .where(current.c.res_type == resource_type, current.c.deleted.is_(False), clause)
        .where(*scope_conditions(resource_type, scope))
        .correlate(None)
    )


def _forward(
    resource_type: str, head: str, rest: str, raw: str, scope: Scope, hops: int
) -> Clause | None:
    code, _, target = head.partition(":")
    param = search_params(resource_type).get(code)
    if param is None or param.kind != "reference":
        return None
    if target and param.targets and target not in param.targets:
        return None
    targets = [target] if target else list(param.targets)
    selects = []
    for target_type in targets:
        ids = _ids(target_type, rest, raw, scope, hops) if search_params(target_type) else None
        if ids is None:
            continue
        si = search_index.alias()
        selects.append(
            select(si.c.res_id).where(
                si.c.res_type == resource_type,
                si.c.param == code,
                si.c.system == target_type,
                si.c.value.in_(ids),
            )
        )
    if not selects:
        return None
    return or_(*(current.c.res_id.in_(s) for s in selects))


def _reverse(resource_type: str, name: str, raw: str, scope: Scope, hops: int) -> Clause | None:
    parts = name.split(":", 3)
    if len(parts) != 4:
        return None
    _, source, code, rest = parts
    param = search_params(source).get(code)
    if param is None or param.kind != "reference":
        return None
    if param.targets and resource_type not in param.targets:
        return None
    ids = _ids(source, rest, raw, scope, hops)
    if ids is None:
        return None
    si = search_index.alias()
    referenced = select(si.c.value).where(
        si.c.res_type == source,
        si.c.param == code,
        si.c.system == resource_type,
        si.c.res_id.in_(ids),
    )
    return current.c.res_id.in_(referenced)
