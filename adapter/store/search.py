"""Search: criteria, sorting, paging, `_summary=count` and `_include`/`_revinclude`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import Connection, func, select

from adapter.errors import InvalidRequest
from adapter.store.model import SearchPage, StoredResource
from adapter.store.params import search_params
from adapter.store.query import Criterion, condition, is_supported, parse_criterion
from adapter.store.schema import current, search_index
from adapter.store.writes import row_to_stored

# Handled by the API (rendering), never reported as ignored.
RENDERING_PARAMS = ("_elements", "_format", "_pretty", "_total", "_contained", "_containedType")
CONTROL_PARAMS = ("_count", "_offset", "_sort", "_summary", "_include", "_revinclude")
# Included resources are a courtesy; this bounds what one page can drag along.
MAX_INCLUDED = 1000


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
    controls: dict[str, list[str]] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    passed_on: list[tuple[str, str]] = field(default_factory=list)


def parse_request(resource_type: str, params: list[tuple[str, str]], strict: bool) -> Request:
    request = Request()
    for name, value in params:
        base = name.split(":", 1)[0]
        if base in RENDERING_PARAMS:
            continue
        if name in CONTROL_PARAMS:
            request.controls.setdefault(name, []).append(value)
            continue
        criterion = parse_criterion(name, value)
        if is_supported(resource_type, criterion):
            request.criteria.append(criterion)
            request.passed_on.append((name, value))
        elif strict:
            raise InvalidRequest(
                f"Search parameter {name!r} is not supported for {resource_type}", expression=name
            )
        else:
            request.ignored.append((name, value))
    return request


def run(
    conn: Connection,
    resource_type: str,
    params: list[tuple[str, str]],
    *,
    strict: bool,
    paging: Paging,
) -> SearchPage:
    request = parse_request(resource_type, params, strict)
    conditions = _conditions(resource_type, request.criteria)
    total = conn.execute(select(func.count()).select_from(current).where(*conditions)).scalar_one()
    page = SearchPage(total=total, ignored_params=request.ignored)
    if _last(request, "_summary") == "count":
        return page
    count, offset = _page_window(request, paging)
    order = _order_by(resource_type, request, strict)
    query = select(current).where(*conditions).order_by(*order).limit(count).offset(offset)
    page.matches = [row_to_stored(row) for row in conn.execute(query)] if count else []
    page.included = _included(conn, resource_type, page.matches, request, strict)
    _link_pages(page, request, params, count, offset)
    return page


def match_ids(conn: Connection, resource_type: str, query: str, paging: Paging) -> list[str]:
    """Ids matching a conditional query (`identifier=sys|val`, optionally `Type?...`); at most 2."""
    query = query.split("?", 1)[1] if "?" in query else query
    params = parse_qsl_params(query)
    if not params:
        raise InvalidRequest(f"Conditional query {query!r} has no search parameters")
    request = parse_request(resource_type, params, strict=True)
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
    page: SearchPage,
    request: Request,
    params: list[tuple[str, str]],
    count: int,
    offset: int,
) -> None:
    kept = [(n, v) for n, v in params if n not in ("_count", "_offset")]
    if count and offset + count < page.total:
        page.next_params = [*kept, ("_count", str(count)), ("_offset", str(offset + count))]
    if count and offset > 0:
        page.prev_params = [*kept, ("_count", str(count)), ("_offset", str(max(offset - count, 0)))]


def _included(
    conn: Connection,
    resource_type: str,
    matches: list[StoredResource],
    request: Request,
    strict: bool,
) -> list[StoredResource]:
    if not matches:
        return []
    ids = [m.id for m in matches]
    targets: set[tuple[str, str]] = set()
    for spec in request.controls.get("_include", []):
        targets |= _include_targets(conn, resource_type, ids, spec, request, strict)
    for spec in request.controls.get("_revinclude", []):
        targets |= _revinclude_sources(conn, resource_type, ids, spec, request, strict)
    targets -= {(m.type, m.id) for m in matches}
    return _fetch(conn, sorted(targets)[:MAX_INCLUDED])


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


def _fetch(conn: Connection, keys: list[tuple[str, str]]) -> list[StoredResource]:
    by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in keys:
        by_type.setdefault(resource_type, []).append(resource_id)
    found = []
    for resource_type, ids in by_type.items():
        query = select(current).where(
            current.c.res_type == resource_type,
            current.c.res_id.in_(ids),
            current.c.deleted.is_(False),
        )
        found.extend(row_to_stored(row) for row in conn.execute(query.order_by(current.c.res_id)))
    return found
