"""A yes/no schema check compiled to closures, for the common case of a valid record.

jsonschema explains errors well but needs milliseconds per member record; this compiles the
subset of JSON Schema the plan-export schema uses into plain Python checks (tens of
microseconds). Only a record it rejects is handed to jsonschema for the detailed messages, so
both must agree: an unknown keyword is refused at compile time, and tests compare the two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that do not constrain a value.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "default"})

# JSON types as Python types (bool is not a number; an integral float is an integer).
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "array": (list,),
    "object": (dict,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
}


class Compiler:
    """Compiles schema nodes of one document; `$ref`s to its `$defs` are shared, once each."""

    def __init__(self, document: dict[str, Any], formats: dict[str, Check]) -> None:
        self.defs = document.get("$defs", {})
        self.formats = formats
        self.compiled: dict[str, Check] = {}

    def compile(self, node: dict[str, Any]) -> Check:
        kind = node.get("type")
        if kind == "object" and "properties" in node:
            checks = [_object(self, node)]
            rest = {k: v for k, v in node.items() if k not in _OBJECT_KEYWORDS}
        elif kind in ("string", ["string", "null"]) and _STRING_KEYWORDS.issuperset(node):
            return _string(self, node)
        elif kind == "array" and _ARRAY_KEYWORDS.issuperset(node):
            return _array(self, node)
        else:
            checks, rest = [], node
        checks += [c for name, value in rest.items() if (c := self._keyword(name, value, node))]
        return _all(checks)

    def reference(self, ref: str) -> Check:
        name = ref.rsplit("/", 1)[1]
        if not ref.startswith("#/$defs/") or name not in self.defs:
            raise ValueError(f"unsupported $ref {ref!r}")
        if name not in self.compiled:
            self.compiled[name] = lambda v: self.compiled[name](v)  # recursion guard
            self.compiled[name] = self.compile(self.defs[name])
        return self.compiled[name]

    def _keyword(self, name: str, value: Any, node: dict[str, Any]) -> Check | None:
        if name in _ANNOTATIONS:
            return None
        builder = _BUILDERS.get(name)
        if builder is None:
            raise ValueError(f"keyword {name!r} is not supported by the fast check")
        return builder(self, value, node)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]

    def all_of(v: Any) -> bool:
        for check in checks:
            if not check(v):
                return False
        return True

    return all_of


_OBJECT_KEYWORDS = frozenset({"type", "required", "properties", "additionalProperties"})


def _object(c: Compiler, node: dict[str, Any]) -> Check:
    """type object + required + properties (+ additionalProperties false) in one pass."""
    checks = {name: c.compile(sub) for name, sub in node["properties"].items()}
    required = tuple(node.get("required", ()))
    closed = "additionalProperties" in node
    if closed and node["additionalProperties"] is not False:
        raise ValueError("only additionalProperties: false is supported")

    def check(v: Any) -> bool:
        if type(v) is not dict:
            return False
        for name in required:
            if name not in v:
                return False
        for name, item in v.items():
            sub = checks.get(name)
            if sub is None:
                if closed:
                    return False
            elif not sub(item):
                return False
        return True

    return check


# The common shapes get one closure that tests the type once (most calls are strings).
_STRING_KEYWORDS = _ANNOTATIONS | {"type", "pattern", "format", "minLength"}
_ARRAY_KEYWORDS = _ANNOTATIONS | {"type", "items", "minItems", "uniqueItems"}


def _string(c: Compiler, node: dict[str, Any]) -> Check:
    nullable = node["type"] != "string"
    inner: list[Check] = []
    if "pattern" in node:
        search = re.compile(node["pattern"]).search
        inner.append(lambda s: search(s) is not None)
    if "format" in node and node["format"] in c.formats:
        inner.append(c.formats[node["format"]])
    if "minLength" in node:
        least = node["minLength"]
        inner.append(lambda s: len(s) >= least)
    text = _all(inner)
    if nullable:
        return lambda v: text(v) if type(v) is str else v is None
    return lambda v: type(v) is str and text(v)


def _array(c: Compiler, node: dict[str, Any]) -> Check:
    check_item = c.compile(node["items"]) if "items" in node else None
    least = node.get("minItems", 0)
    unique = node.get("uniqueItems", False)

    def check(v: Any) -> bool:
        if type(v) is not list or len(v) < least or (unique and not _unique(v)):
            return False
        if check_item is not None:
            for item in v:
                if not check_item(item):
                    return False
        return True

    return check


def _type(_c: Compiler, value: Any, _n: dict[str, Any]) -> Check:
    names = value if isinstance(value, list) else [value]
    types = frozenset(t for n in names if n != "integer" for t in _PYTHON_TYPES[n])
    if "integer" in names:
        return lambda v: type(v) in types or type(v) is int or _integral_float(v)
    return lambda v: type(v) in types


def _integral_float(v: Any) -> bool:
    return type(v) is float and v.is_integer()


def _enum(_c: Compiler, value: list[Any], _n: dict[str, Any]) -> Check:
    if all(e is None or type(e) is str for e in value):
        allowed = frozenset(value)
        return lambda v: (v is None or type(v) is str) and v in allowed
    raise ValueError("enum values other than strings and null are not supported")


def _const(_c: Compiler, value: Any, _n: dict[str, Any]) -> Check:
    if type(value) is not str:
        raise ValueError("const values other than strings are not supported")
    return lambda v: type(v) is str and v == value


def _pattern(_c: Compiler, value: str, _n: dict[str, Any]) -> Check:
    search = re.compile(value).search
    return lambda v: type(v) is not str or search(v) is not None


def _format(c: Compiler, value: str, _n: dict[str, Any]) -> Check:
    check = c.formats.get(value)
    if check is None:
        return lambda v: True  # jsonschema also ignores formats it has no checker for
    return lambda v: type(v) is not str or check(v)


def _min_length(_c: Compiler, value: int, _n: dict[str, Any]) -> Check:
    return lambda v: type(v) is not str or len(v) >= value


def _min_items(_c: Compiler, value: int, _n: dict[str, Any]) -> Check:
    return lambda v: type(v) is not list or len(v) >= value


def _unique_items(_c: Compiler, value: bool, _n: dict[str, Any]) -> Check:
    if not value:
        return lambda v: True
    return lambda v: type(v) is not list or _unique(v)


def _unique(items: list[Any]) -> bool:
    if all(type(i) is str for i in items):
        return len(set(items)) == len(items)
    return False  # let jsonschema decide lists of other values


def _exclusive_minimum(_c: Compiler, value: float, _n: dict[str, Any]) -> Check:
    return lambda v: type(v) not in (int, float) or v > value


def _required(_c: Compiler, value: list[str], _n: dict[str, Any]) -> Check:
    return lambda v: type(v) is not dict or all(name in v for name in value)


def _properties(c: Compiler, value: dict[str, Any], _n: dict[str, Any]) -> Check:
    checks = {name: c.compile(sub) for name, sub in value.items()}

    def check(v: Any) -> bool:
        if type(v) is not dict:
            return True
        return all(checks[k](item) for k, item in v.items() if k in checks)

    return check


def _additional(_c: Compiler, value: Any, node: dict[str, Any]) -> Check:
    if value is not False:
        raise ValueError("only additionalProperties: false is supported")
    known = frozenset(node.get("properties", {}))
    return lambda v: type(v) is not dict or known.issuperset(v)


def _items(c: Compiler, value: dict[str, Any], _n: dict[str, Any]) -> Check:
    check_item = c.compile(value)

    def check(v: Any) -> bool:
        if type(v) is list:
            for item in v:
                if not check_item(item):
                    return False
        return True

    return check


def _any_of(c: Compiler, value: list[dict[str, Any]], _n: dict[str, Any]) -> Check:
    checks = [c.compile(branch) for branch in value]
    return lambda v: any(check(v) for check in checks)


def _ref(c: Compiler, value: str, _n: dict[str, Any]) -> Check:
    return c.reference(value)


_BUILDERS: dict[str, Callable[[Compiler, Any, dict[str, Any]], Check]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "format": _format,
    "minLength": _min_length,
    "minItems": _min_items,
    "uniqueItems": _unique_items,
    "exclusiveMinimum": _exclusive_minimum,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional,
    "items": _items,
    "anyOf": _any_of,
    "$ref": _ref,
}
