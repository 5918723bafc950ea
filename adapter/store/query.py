"""Search parameters turned into SQL conditions on the current-resource table."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_, select, true

from adapter.errors import InvalidRequest
from adapter.store.dates import DateRange, parse_range
from adapter.store.index import normalize, split_reference
from adapter.store.params import SearchParam, search_params
from adapter.store.schema import current, search_index

DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
# Modifiers each kind understands; anything else is an unknown parameter.
MODIFIERS = {
    "token": {"", "not", "missing", "text"},
    "string": {"", "exact", "contains", "missing"},
    "reference": {"", "missing"},  # plus a target type, e.g. subject:Patient
    "uri": {"", "above", "below", "missing"},
    "date": {"", "missing"},
}
_COMMA = re.compile(r"(?<!\\),")

Clause = ColumnElement[bool]


@dataclass(frozen=True)
class Criterion:
    """One `name[:modifier]=v1,v2` pair of the query."""

    name: str
    modifier: str
    values: tuple[str, ...]

    @property
    def expression(self) -> str:
        return f"{self.name}:{self.modifier}" if self.modifier else self.name


def parse_criterion(name: str, raw: str) -> Criterion:
    code, _, modifier = name.partition(":")
    values = tuple(v.replace("\\,", ",") for v in _COMMA.split(raw))
    return Criterion(code, modifier, values)


def is_supported(resource_type: str, criterion: Criterion) -> bool:
    if criterion.name in ("_id", "_lastUpdated"):
        return (
            criterion.modifier in ("", "not") if criterion.name == "_id" else not criterion.modifier
        )
    param = search_params(resource_type).get(criterion.name)
    if param is None:
        return False
    if param.kind == "reference" and criterion.modifier[:1].isupper():
        return criterion.modifier in param.targets or not param.targets
    return criterion.modifier in MODIFIERS[param.kind]


def condition(resource_type: str, criterion: Criterion) -> Clause:
    """The SQL condition a supported criterion puts on `resource_current`."""
    if criterion.name == "_id":
        matched = current.c.res_id.in_(criterion.values)
        return not_(matched) if criterion.modifier == "not" else matched
    if criterion.name == "_lastUpdated":
        moment = current.c.last_updated
        return or_(*(_date_clause(moment, moment, v, criterion) for v in criterion.values))
    param = search_params(resource_type)[criterion.name]
    if criterion.modifier == "missing":
        return _missing(resource_type, param, criterion)
    if criterion.modifier == "not":
        return not_(_indexed(resource_type, param, lambda si: _any_value(param, si, criterion, "")))
    return _indexed(
        resource_type, param, lambda si: _any_value(param, si, criterion, criterion.modifier)
    )


def _indexed(
    resource_type: str, param: SearchParam, value_clause: Callable[[Any], Clause]
) -> Clause:
    # An uncorrelated IN lets the database start from the (type, param, value) index instead
    # of probing the index once per candidate resource.
    si = search_index.alias()
    matching = select(si.c.res_id).where(
        si.c.res_type == resource_type, si.c.param == param.code, value_clause(si)
    )
    return current.c.res_id.in_(matching)


def _missing(resource_type: str, param: SearchParam, criterion: Criterion) -> Clause:
    if criterion.values not in (("true",), ("false",)):
        raise InvalidRequest(f"{criterion.expression} takes true or false", expression=param.code)
    present = _indexed(resource_type, param, lambda _si: true())
    return not_(present) if criterion.values == ("true",) else present


def _any_value(param: SearchParam, si: Any, criterion: Criterion, modifier: str) -> Clause:
    build = _VALUE_CLAUSES[param.kind]
    return or_(*(build(si, value, modifier, criterion) for value in criterion.values))


def _token(si: Any, value: str, modifier: str, _criterion: Criterion) -> Clause:
    if modifier == "text":  # the display or text, from the start of any word
        start = _escape_like(normalize(value))
        return or_(
            si.c.exact.like(start + "%", escape="\\"),
            si.c.exact.like("% " + start + "%", escape="\\"),
        )
    if "|" not in value:
        return si.c.value == value
    system, code = value.split("|", 1)
    if not system:
        return and_(si.c.system.is_(None), si.c.value == code)
    if not code:
        return si.c.system == system
    return and_(si.c.system == system, si.c.value == code)


def _string(si: Any, value: str, modifier: str, _criterion: Criterion) -> Clause:
    if modifier == "exact":
        return si.c.exact == value
    pattern = _escape_like(normalize(value)) + "%"
    if modifier == "contains":
        pattern = "%" + pattern
    return si.c.value.like(pattern, escape="\\")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _reference(si: Any, value: str, modifier: str, _criterion: Criterion) -> Clause:
    if modifier:  # subject:Patient=123
        return and_(si.c.system == modifier, si.c.value == value)
    target = split_reference(value) if "/" in value else None
    if target:
        return and_(si.c.system == target[0], si.c.value == target[1])
    return si.c.value == value


def _uri(si: Any, value: str, modifier: str, _criterion: Criterion) -> Clause:
    if modifier == "above":  # stored URIs the searched one starts with, path segment by segment
        return si.c.value.in_(uri_ancestors(value))
    if modifier == "below":
        return si.c.value.like(_escape_like(value) + "%", escape="\\")
    return si.c.value == value


def uri_ancestors(uri: str) -> list[str]:
    """`http://a/b/c` -> itself, `http://a/b`, `http://a` (never the bare scheme)."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return [uri]
    segments = rest.rstrip("/").split("/")
    return [f"{scheme}://" + "/".join(segments[:n]) for n in range(len(segments), 0, -1)]


def _date(si: Any, value: str, _modifier: str, criterion: Criterion) -> Clause:
    return _date_clause(si.c.low, si.c.high, value, criterion)


def _date_clause(low: Any, high: Any, value: str, criterion: Criterion) -> Clause:
    prefix, searched = _split_prefix(value)
    bounds = parse_range(searched)
    if bounds is None:
        raise InvalidRequest(
            f"{criterion.expression}: {value!r} is not a FHIR date, dateTime or instant "
            "(optionally prefixed by eq, ne, gt, lt, ge, le, sa, eb or ap)",
            expression=criterion.name,
        )
    return _compare_ranges(prefix, low, high, bounds)


def _split_prefix(value: str) -> tuple[str, str]:
    if value[:2] in DATE_PREFIXES:
        return value[:2], value[2:]
    return "eq", value


def _compare_ranges(prefix: str, low: Any, high: Any, bounds: DateRange) -> Clause:
    """FHIR prefix semantics between the target range [low, high] and the searched one."""
    start, end = bounds
    within = and_(low >= start, high <= end)
    return {
        "eq": within,
        "ne": not_(within),
        "gt": high > end,
        "lt": low < start,
        "ge": high >= start,
        "le": low <= end,
        "sa": low > end,
        "eb": high < start,
        "ap": and_(low <= end, high >= start),
    }.get(prefix, false())


_VALUE_CLAUSES: dict[str, Callable[[Any, str, str, Criterion], Clause]] = {
    "token": _token,
    "string": _string,
    "reference": _reference,
    "uri": _uri,
    "date": _date,
}
