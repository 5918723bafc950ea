"""Search: criteria (chains and `_has` included), sorting, paging, `_summary=count`, `_total`
and `_include`/`_revinclude` (with `:iterate`), each hop kept inside the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import Connection, func, select

from adapter.errors import InvalidRequest
from adapter.store.chains import Scope, chained_condition, is_chained, scope_conditions
from adapter.store.model import SearchPage, StoredResource
from adapter.store.params import search_params
from adapter.store.query import Criterion, condition, is_supported, parse_criterion
from adapter.store.schema import current, search_index
from adapter.store.writes import row_to_stored

__all__ = ["Paging", "Scope", "iterate", "match_ids", "parse_request", "run"]

# Handled by the API (rendering), never reported as ignored.
RENDERING_PARAMS = ("_elements", "_format", "_pretty")
CONTROL_PARAMS = ("_count", "_offset", "_sort", "_summary", "_total", "_include", "_revinclude")
ITERATING = ("_include:iterate", "_revinclude:iterate", "_include:recurse", "_revinclude:recurse")
SUMMARY_VALUES = ("true", "text", "data", "count", "false")
TOTAL_VALUES = ("none", "estimate", "accurate")
# Included resources are a courtesy; this bounds what one page can drag along.
MAX_INCLUDED = 1000
# Rounds of `:iterate` includes after the first.
MAX_ITERATIONS = 5


@dataclass(frozen=True)
class Paging:
    """Page sizes: `default` when `_count` is absent, never more than `maximum`."""

    default: int = 50
    maximum: int = 1000

    def clamp(self, count: int) -> int:
        return max(0, min(count, self.maximum))


@dataclass
class Request:
    """A search split into criteria and the controls that shape the answer."""

    criteria: list[Criterion] = field(default_factory=list)
    clauses: list[Any] = field(default_factory=list)  # chained and _has parameters
    controls: dict[str, list[str]] = field(default_factory=dict)
    iterate: list[tuple[str, str]] = field(default_factory=list)  # (_include|_revinclude, spec)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    passed_on: list[tuple[str, str]] = field(default_factory=list)


def parse_request(
    resource_type: str,
    params: list[tuple[str, str]],
    strict: bool,
    scope: Scope = None,
    *,
    chains: bool = True,
) -> Request:
    request = Request()
    for name, value in params:
        base = name.split(":", 1)[0]
        if base in RENDERING_PARAMS:
            continue
        if name in CONTROL_PARAMS:
            request.controls.setdefault(name, []).append(value)
            continue
        if name in ITERATING:
            request.iterate.append((base, value))
            continue
        if chains and is_chained(name):
            clause = chained_condition(resource_type, name, value, scope)
            if clause is not None:
                request.clauses.append(clause)
                request.passed_on.append((name, value))
                continue
        criterion = parse_criterion(name, value)
        if not is_chained(name) and is_supported(resource_type, criterion):
            request.criteria.append(criterion)
            request.passed_on.append((name, value))
        elif strict:
            raise InvalidRequest(
                f"Search parameter {name!r} is not supported for {resource_type}", expression=name
            )
        else:
            request.ignored.append((name, value))
    _check_choice(request, "_summary", SUMMARY_VALUES)
    _check_choice(request, "_total", TOTAL_VALUES)
    return request


def _check_choice(request: Request, name: str, allowed: tuple[str, ...]) -> None:
    for value in request.controls.get(name, []):
        if value not in allowed:
            raise InvalidRequest(
                f"{name} must be one of {', '.join(allowed)}, got {value[:40]!r}", expression=name
            )


def run(
    conn: Connection,
    resource_type: str,
    params: list[tuple[str, str]],
    *,
    strict: bool,
    paging: Paging,
    scope: Scope = None,
) -> SearchPage:
    request = parse_request(resource_type, params, strict, scope)
    conditions = [*_conditions(resource_type, request.criteria), *request.clauses]
    counted = _last(request, "_total") != "none" or _last(request, "_summary") == "count"
    total = None
    if counted:
        counting = select(func.count()).select_from(current).where(*conditions)
        total = conn.execute(counting).scalar_one()
    page = SearchPage(total=total, ignored_params=request.ignored)
    if _last(request, "_summary") == "count":
        return page
    count, offset = _page_window(request, paging)
    order = _order_by(resource_type, request, strict)
    # Without a total, one row more than the page tells whether there is a next page.
    limit = count if counted else count + 1
    query = select(current).where(*conditions).order_by(*order).limit(limit).offset(offset)
    rows = [row_to_stored(row) for row in conn.execute(query)] if count else []
    more = len(rows) > count if not counted else offset + count < (total or 0)
    page.matches = rows[:count]
    page.included = _included(conn, resource_type, page.matches, request, strict, scope)
    _link_pages(page, params, count, offset, more)
    return page


def iterate(
    conn: Connection,
    resource_type: str,
    params: list[tuple[str, str]],
    scope: Scope = None,
    batch: int = 1000,
) -> Any:
    """Every match, in id order, a batch of rows at a time (memory stays flat): for exports."""
    request = parse_request(resource_type, params, strict=True, scope=scope)
    conditions = [*_conditions(resource_type, request.criteria), *request.clauses]
    conditions += scope_conditions(resource_type, scope)
    after = ""
    while True:
        query = (
            select(current)
            .where(*conditions, current.c.res_id > after)
            .order_by(current.c.res_id)
            .limit(batch)
        )
        rows = [row_to_stored(row) for row in conn.execute(query)]
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id


def match_ids(conn: Connection, resource_type: str, query: str, paging: Paging) -> list[str]:
    """Ids matching a conditional query (`identifier=sys|val`, optionally `Type?...`); at most 2."""
    query = query.split("?", 1)[1] if "?" in query else query
    params = parse_qsl_params(query)
    if not params:
        raise InvalidRequest(f"Conditional query {query!r} has no search parameters")
    # Conditional writes take plain criteria: a chain could reach outside the compartment.
    request = parse_request(resource_type, params, strict=True, chains=False)
    conditions = _conditions(resource_type, request.criteria)
    rows = conn.execute(select(current.c.res_id).where(*conditions).limit(2))
    return [row.res_id for row in rows]


def parse_qsl_params(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def _conditions(resource_type: str, criteria: list[Criterion]) -> list[Any]:
    base = [current.c.res_type == resource_type, current.c.deleted.is_(False)]
    return base + [condition(resource_type, c) for c in criteria]


def _last(request: Request, name: str) -> str | None:
    values = request.controls.get(name)
    return values[-1] if values else None


def _non_negative(request: Request, name: str, default: int) -> int:
    raw = _last(request, name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise InvalidRequest(f"{name} must be a whole number, got {raw!r}", expression=name)
    return int(raw)


def _page_window(request: Request, paging: Paging) -> tuple[int, int]:
    count = paging.clamp(_non_negative(request, "_count", paging.default))
    return count, _non_negative(request, "_offset", 0)


def _order_by(resource_type: str, request: Request, strict: bool) -> list[Any]:
    order: list[Any] = []
    for raw in request.controls.get("_sort", []):
        for key in filter(None, raw.split(",")):
            column = _sort_column(resource_type, key.lstrip("-"), descending=key.startswith("-"))
            if column is not None:
                order.append(column)
            elif strict:
                raise InvalidRequest(f"Cannot sort {resource_type} by {key!r}", expression="_sort")
            else:
                request.ignored.append(("_sort", key))
    return [*order, current.c.res_id]


def _sort_column(resource_type: str, code: str, *, descending: bool) -> Any:
    if code in ("_id", "_lastUpdated"):
        column = current.c.res_id if code == "_id" else current.c.last_updated
        return column.desc() if descending else column.asc()
    param = search_params(resource_type).get(code)
    if param is None:
        return None
    si = search_index.alias()
    key = si.c.low if param.kind == "date" else si.c.value
    if descending and param.kind == "date":
        key = si.c.high
    aggregate = func.max(key) if descending else func.min(key)
    subquery = (
        select(aggregate)
        .where(si.c.res_type == current.c.res_type, si.c.res_id == current.c.res_id)
        .where(si.c.param == param.code)
        .scalar_subquery()
    )
    return (subquery.desc() if descending else subquery.asc()).nulls_last()


def _link_pages(
    page: SearchPage, params: list[tuple[str, str]], count: int, offset: int, more: bool
) -> None:
    kept = [(n, v) for n, v in params if n not in ("_count", "_offset")]
    if count and more:
        page.next_params = [*kept, ("_count", str(count)), ("_offset", str(offset + count))]
    if count and offset > 0:
        page.prev_params = [*kept, ("_count", str(count)), ("_offset", str(max(offset - count, 0)))]


def _included(
    conn: Connection,
    resource_type: str,
    matches: list[StoredResource],
    request: Request,
    strict: bool,
    scope: Scope = None,
) -> list[StoredResource]:
    """`_include`/`_revinclude` of the matches, then `:iterate` ones of what was included."""
    if not matches:
        return []
    seen = {(m.type, m.id) for m in matches}
    first = [(name, spec) for name in ("_include", "_revinclude")
             for spec in request.controls.get(name, [])]  # fmt: skip
    found: list[StoredResource] = []
    frontier, specs = matches, [*first, *request.iterate]
    for _round in range(MAX_ITERATIONS + 1):
        targets: set[tuple[str, str]] = set()
        for frontier_type, ids in _ids_by_type(frontier).items():
            for name, spec in specs:
                targets |= _spec_targets(conn, frontier_type, ids, name, spec, request, strict)
        fresh = sorted(targets - seen)[: MAX_INCLUDED - len(found)]
        seen |= set(fresh)
        frontier = _fetch(conn, fresh, scope)
        found += frontier
        specs = request.iterate
        if not frontier or not specs or len(found) >= MAX_INCLUDED:
            break
        strict = False  # a spec that suits the matches may not suit what they brought in
    return found


def _ids_by_type(resources: list[StoredResource]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for resource in resources:
        grouped.setdefault(resource.type, []).append(resource.id)
    return grouped


def _spec_targets(
    conn: Connection,
    resource_type: str,
    ids: list[str],
    name: str,
    spec: str,
    request: Request,
    strict: bool,
) -> set[tuple[str, str]]:
    if name == "_include":
        return _include_targets(conn, resource_type, ids, spec, request, strict)
    return _revinclude_sources(conn, resource_type, ids, spec, request, strict)


def _reference_codes(
    source_type: str, spec: str, request: Request, strict: bool, name: str
) -> tuple[list[str], str | None]:
    """The reference parameter codes a `Source:param[:Target]` spec names (or `*`)."""
    parts = spec.split(":")
    references = {c: p for c, p in search_params(source_type).items() if p.kind == "reference"}
    if spec == "*" or (len(parts) >= 2 and parts[1] == "*"):
        return list(references), None
    if len(parts) in (2, 3) and parts[1] in references:
        return [parts[1]], parts[2] if len(parts) == 3 else None
    if strict:
        raise InvalidRequest(f"{name}={spec!r} is not supported", expression=name)
    request.ignored.append((name, spec))
    return [], None


def _include_targets(
    conn: Connection,
    resource_type: str,
    ids: list[str],
    spec: str,
    request: Request,
    strict: bool,
) -> set[tuple[str, str]]:
    source = spec.split(":", 1)[0]
    if source not in (resource_type, "*"):
        return set()
    codes, target = _reference_codes(resource_type, spec, request, strict, "_include")
    if not codes:
        return set()
    query = select(search_index.c.system, search_index.c.value).where(
        search_index.c.res_type == resource_type,
        search_index.c.res_id.in_(ids),
        search_index.c.param.in_(codes),
        search_index.c.system.is_not(None),
    )
    if target:
        query = query.where(search_index.c.system == target)
    return {(row.system, row.value) for row in conn.execute(query)}


def _revinclude_sources(
    conn: Connection,
    resource_type: str,
    ids: list[str],
    spec: str,
    request: Request,
    strict: bool,
) -> set[tuple[str, str]]:
    source = spec.split(":", 1)[0]
    if not search_params(source):
        if strict:
            raise InvalidRequest(f"_revinclude={spec!r}: unknown type", expression="_revinclude")
        request.ignored.append(("_revinclude", spec))
        return set()
    codes, _target = _reference_codes(source, spec, request, strict, "_revinclude")
    if not codes:
        return set()
    query = select(search_index.c.res_id).where(
        search_index.c.res_type == source,
        search_index.c.param.in_(codes),
        search_index.c.system == resource_type,
        search_index.c.value.in_(ids),
    )
    return {(source, row.res_id) for row in conn.execute(query)}


def _fetch(conn: Connection, keys: list[tuple[str, str]], scope: Scope) -> list[StoredResource]:
    """The resources, those outside the scope left out (so `:iterate` never passes them)."""
    by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in keys:
        by_type.setdefault(resource_type, []).append(resource_id)
    found = []
    for resource_type, ids in by_type.items():
        if not search_params(resource_type):
            continue  # a reference to a type the store does not keep
        query = select(current).where(
            current.c.res_type == resource_type,
            current.c.res_id.in_(ids),
            current.c.deleted.is_(False),
            *scope_conditions(resource_type, scope),
        )
        found.extend(row_to_stored(row) for row in conn.execute(query.order_by(current.c.res_id)))
    return found
