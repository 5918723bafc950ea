"""A compiled walker for the FHIRPath forms SearchParameter expressions use, fhirpathpy otherwise.

Handled directly: `Type.a.b`, `|` unions (parts for other types dropped), `(X.value as T)`,
`.where(resolve() is T)`, `.where(name='literal')`. Anything else is compiled once by fhirpathpy;
`resolve()` cannot run there, so such expressions index nothing rather than guess. An
expression that fails on a resource raises IndexingError: the write fails rather than leaving
the resource silently out of searches (a Consent that denies must always be found).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import fhirpathpy
from fhirpathpy.models import models

from adapter.errors import Unprocessable


class IndexingError(Unprocessable):
    """A resource's search-index values could not be computed; nothing is stored."""


Walker = Callable[[dict[str, Any]], list[Any]]
Step = Callable[[list[Any]], list[Any]]

_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")
_RESOLVE_IS = re.compile(r"^where\(resolve\(\) is ([A-Z][A-Za-z]+)\)$")
_WHERE_EQ = re.compile(r"^where\(([a-z][A-Za-z]*)\s*=\s*'([^']*)'\)$")
_AS = re.compile(r"^\((.+) as ([A-Za-z]+)\)$")


def compile_expression(expression: str, resource_type: str) -> Walker:
    """A function giving the values `expression` selects in a resource of `resource_type`."""
    parts = [p.strip() for p in _split_top_level(expression, "|")]
    mine = [p for p in parts if _root(p) in (resource_type, "Resource", "DomainResource")]
    walkers = [_compile_part(p) for p in mine]
    if any(w is None for w in walkers):
        return _fhirpath_walker(" | ".join(mine))
    return _union([w for w in walkers if w is not None])


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` outside parentheses (FHIRPath unions and path steps)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _root(part: str) -> str:
    return part.lstrip("(").split(".", 1)[0]


def _compile_part(part: str) -> Walker | None:
    cast = _AS.match(part)
    if cast:
        path, type_name = cast.group(1), cast.group(2)
        path = path + type_name[0].upper() + type_name[1:]
    else:
        path = part
    steps = [_compile_step(s) for s in _split_top_level(path, ".")[1:]]
    if not steps or any(s is None for s in steps):
        return None
    return _chain([s for s in steps if s is not None])


def _compile_step(step: str) -> Step | None:
    if _NAME.match(step):
        return lambda values: list(_children(values, step))
    resolve_is = _RESOLVE_IS.match(step)
    if resolve_is:
        prefix = resolve_is.group(1) + "/"
        return lambda values: [v for v in values if _reference_type_is(v, prefix)]
    where_eq = _WHERE_EQ.match(step)
    if where_eq:
        key, literal = where_eq.groups()
        return lambda values: [v for v in values if isinstance(v, dict) and v.get(key) == literal]
    return None


def _children(values: Iterable[Any], name: str) -> Iterable[Any]:
    for value in values:
        if not isinstance(value, dict):
            continue
        if name in value:
            yield from _as_list(value[name])
            continue
        # A choice element (`effective`) appears as effectiveDateTime, effectivePeriod, ...
        for key, child in value.items():
            if key.startswith(name) and key[len(name) : len(name) + 1].isupper():
                yield from _as_list(child)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _reference_type_is(value: Any, prefix: str) -> bool:
    reference = value.get("reference", "") if isinstance(value, dict) else ""
    return reference.startswith(prefix) or f"/{prefix}" in reference


def _chain(steps: list[Step]) -> Walker:
    def walk(resource: dict[str, Any]) -> list[Any]:
        values: list[Any] = [resource]
        for step in steps:
            values = step(values)
            if not values:
                break
        return values

    return walk


def _union(walkers: list[Walker]) -> Walker:
    if len(walkers) == 1:
        return walkers[0]
    return lambda resource: [v for w in walkers for v in w(resource)]


def _fhirpath_walker(expression: str) -> Walker:
    if not expression or "resolve()" in expression:
        return lambda _resource: []
    compiled = fhirpathpy.compile(expression, model=models["r4"])

    def walk(resource: dict[str, Any]) -> list[Any]:
        try:
            return list(compiled(resource))
        except Exception as error:  # whatever fhirpathpy raises on odd content
            raise IndexingError(
                f"The {resource.get('resourceType')} cannot be indexed for search "
                f"({expression[:120]}): {str(error)[:200]}",
                expression=expression[:120],
            ) from error

    return walk
