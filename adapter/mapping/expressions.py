"""The spec expression language: `=root.path | filter:arg | ...`, compiled once into closures.

A path walks dicts by key; over a list it maps every element and flattens, as FHIRPath does,
so `record.offers.choices` is every offered staff id. Filters come from one explicit table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from adapter.mapping.errors import SpecError

Scope = Mapping[str, Any]
Evaluator = Callable[[Scope], Any]
Filter = Callable[[Any, Scope], Any]
FilterFactory = Callable[[str | None, "Tables"], Filter]
Tables = Mapping[str, Mapping[str, Any]]

DEFAULT_KEY = "__default__"
# The tables entry holding {code system id: {code: display}} read from profiles/.
DISPLAY_TABLES = "__displays__"


def walk(value: Any, key: str) -> Any:
    """One path step; lists are mapped and flattened, missing keys give None."""
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list):
        out: list[Any] = []
        for element in value:
            found = walk(element, key)
            if isinstance(found, list):
                out.extend(found)
            elif found is not None:
                out.append(found)
        return out or None
    return None


def _elementwise(lookup: Callable[[Any, Scope], Any]) -> Filter:
    """Apply a per-value lookup to a value or to every element of a list, dropping misses."""

    def apply(value: Any, scope: Scope) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            found = [lookup(v, scope) for v in value]
            return [f for f in found if f is not None] or None
        return lookup(value, scope)

    return apply


def _directory(kind: str) -> FilterFactory:
    def factory(arg: str | None, tables: Tables) -> Filter:
        return _elementwise(lambda value, scope: scope["directory"].find(kind, value))

    return factory


def _code(arg: str | None, tables: Tables) -> Filter:
    if arg not in tables:
        raise SpecError(f"unknown code table {arg!r}")
    table = tables[arg]
    default = table.get(DEFAULT_KEY)
    return _elementwise(lambda value, scope: table.get(str(value), default))


def _display(arg: str | None, tables: Tables) -> Filter:
    """The display our CodeSystem `arg` (in profiles/) gives a code."""
    displays = tables.get(DISPLAY_TABLES, {}).get(arg)
    if displays is None:
        raise SpecError(f"no CodeSystem {arg!r} to take displays from")
    return _elementwise(lambda value, scope: displays.get(str(value)))


def _where(arg: str | None, tables: Tables) -> Filter:
    """`where:a.b=value`, `where:!a.b=value` (not that value), `where:a.b` (present) or
    `where:!a.b` (absent) over a list."""
    if not arg:
        raise SpecError("where needs an argument")
    key, _, wanted = arg.partition("=")
    negate = key.startswith("!")
    keys = key.lstrip("!").split(".")

    def keep(element: Any) -> bool:
        found = _walk_path(element, keys) if isinstance(element, dict) else None
        if wanted:
            equal = found is not None and str(found) == wanted
            return not equal if negate else equal
        return (found is None) if negate else (found is not None)

    def apply(value: Any, scope: Scope) -> Any:
        items = value if isinstance(value, list) else [] if value is None else [value]
        return [v for v in items if keep(v)] or None

    return apply


def _simple(fn: Callable[[Any], Any]) -> FilterFactory:
    return lambda arg, tables: lambda value, scope: fn(value)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _last(value: Any) -> Any:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _unique(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return list(dict.fromkeys(value)) or None


def _ended(arg: str | None, tables: Tables) -> Filter:
    """True when a date is before the export's as-of date (e.g. a contract that ended)."""
    return lambda value, scope: value is not None and str(value)[:10] < scope["as_of"]


def _get(arg: str | None, tables: Tables) -> Filter:
    if not arg or not arg.isidentifier():
        raise SpecError("get needs a key")
    return lambda value, scope: None if value is None else walk(value, arg)


def _eq(arg: str | None, tables: Tables) -> Filter:
    return lambda value, scope: value is not None and str(value) == arg


def _join(arg: str | None, tables: Tables) -> Filter:
    sep = " " if arg is None else arg
    return lambda value, scope: (
        sep.join(str(v) for v in value) if isinstance(value, list) and value else value
    )


def _default(arg: str | None, tables: Tables) -> Filter:
    return lambda value, scope: arg if value is None else value


FILTERS: dict[str, FilterFactory] = {
    "staff": _directory("staff"),
    "cbo": _directory("cbo"),
    "vendor": _directory("vendor"),
    "code": _code,
    "display": _display,
    "where": _where,
    "first": _simple(_first),
    "last": _simple(_last),
    "unique": _simple(_unique),
    "sorted": _simple(lambda v: sorted(v) if isinstance(v, list) else v),
    "exists": _simple(lambda v: v is not None and v != [] and v != {}),
    "not": _simple(lambda v: not v),
    "date": _simple(lambda v: None if v is None else str(v)[:10]),
    "ended": _ended,
    "eq": _eq,
    "get": _get,
    "join": _join,
    "default": _default,
}


def compile_expression(text: str, tables: Tables, constants: Scope) -> Evaluator:
    """Compile `root.a.b | filter:arg` (without the leading '=') into a function of the scope."""
    path_text, *filter_texts = (part.strip() for part in text.split("|"))
    root, *keys = path_text.split(".")
    if not root.isidentifier() or not all(k.isidentifier() for k in keys):
        raise SpecError(f"bad path {path_text!r} in expression {text!r}")
    filters = [_compile_filter(f, tables) for f in filter_texts]
    if root in constants and not filters:
        folded = _walk_path(constants[root], keys)
        return lambda scope: folded

    def evaluate(scope: Scope) -> Any:
        value = _walk_path(scope.get(root), keys)
        for apply in filters:
            value = apply(value, scope)
        return value

    return evaluate


def _walk_path(value: Any, keys: list[str]) -> Any:
    for key in keys:
        if value is None:
            return None
        value = walk(value, key)
    return value


def _compile_filter(text: str, tables: Tables) -> Filter:
    name, sep, arg = text.partition(":")
    factory = FILTERS.get(name.strip())
    if factory is None:
        known = ", ".join(sorted(FILTERS))
        raise SpecError(f"unknown filter {name!r}; known filters: {known}")
    return factory(arg.strip() if sep else None, tables)
