"""A fast evaluator for the common subset of FHIRPath used by invariants, over plain JSON.

Expressions are parsed once by fhirpathpy and turned into Python closures. Anything outside the
subset (type operators, date arithmetic, regexes, primitive extensions met at run time, dates
of different precision) raises `NotFast`, and the caller evaluates that constraint with fhirpathpy
instead, so results never depend on which path ran.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fhirpathpy.models import models
from fhirpathpy.parser import parse

if TYPE_CHECKING:
    from adapter.validation.scope import EvaluationScope

Collection = list[Any]


class NotFast(Exception):
    """Outside the supported subset; evaluate with fhirpathpy."""


class Env:
    """Evaluation context: `$this`, `%resource`, `%rootResource` and the reference scope."""

    __slots__ = ("resource", "root", "scope", "this")

    def __init__(self, this: Collection, resource: Any, root: Any, scope: EvaluationScope):
        self.this, self.resource, self.root, self.scope = this, resource, root, scope

    def at(self, item: Any) -> Env:
        return Env([item], self.resource, self.root, self.scope)


Fn = Callable[[Collection, Env], Collection]

TYPE_SUFFIXES = frozenset(
    "String Boolean Integer Decimal Uri Url Canonical Code Id Oid Uuid Markdown Base64Binary "
    "Instant Date DateTime Time PositiveInt UnsignedInt CodeableConcept Coding Quantity Reference "
    "Period Range Ratio Attachment Identifier HumanName Address ContactPoint Timing Signature "
    "Annotation SampledData Age Distance Duration Count Money ContactDetail Contributor "
    "DataRequirement Expression ParameterDefinition RelatedArtifact TriggerDefinition UsageContext "
    "Dosage Meta".split()
)


def _choice_suffixes() -> dict[str, frozenset[str]]:
    """Choice element name -> JSON type suffixes, from the R4 model fhirpathpy ships."""
    table: dict[str, set[str]] = {}
    for path, types in models["r4"]["choiceTypePaths"].items():
        table.setdefault(path.rsplit(".", 1)[-1], set()).update(t[0].upper() + t[1:] for t in types)
    return {name: frozenset(types) for name, types in table.items()}


CHOICE_SUFFIXES = _choice_suffixes()
TEMPORAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$")


def compile_fast(expression: str) -> Fn | None:
    """A closure for `expression`, or None when it uses anything outside the subset."""
    try:
        return _compile(parse(expression)["children"][0])
    except (NotFast, KeyError, IndexError, ValueError):
        return None


# -- navigation ------------------------------------------------------------------------------


def _member(focus: Collection, name: str) -> Collection:
    return _member_step(name)(focus)


def _member_step(name: str) -> Callable[[Collection], Collection]:
    """Navigation to `name` with what depends on the name alone worked out once."""
    if name[0].isupper():  # a resource type: filters resources
        return lambda focus: [
            item for item in focus if isinstance(item, dict) and item.get("resourceType") == name
        ]
    extension_key = "_" + name
    may_be_choice = bool(CHOICE_SUFFIXES.get(name))

    def step(focus: Collection) -> Collection:
        out: Collection = []
        for item in focus:
            if not isinstance(item, dict):
                continue
            if extension_key in item:
                raise NotFast("primitive extension")
            value = item.get(name)
            if value is None and may_be_choice:
                value = _choice(item, name)
            if isinstance(value, list):
                out.extend([v for v in value if v is not None])
            elif value is not None:
                out.append(value)
        return out

    return step


def _choice(item: dict[str, Any], name: str) -> Any:
    suffixes = CHOICE_SUFFIXES.get(name)
    if not suffixes:
        return None
    for key, value in item.items():
        if key.startswith(name) and key[len(name) :] in suffixes:
            if "_" + key in item:
                raise NotFast("primitive extension")
            return value
    return None


# -- values and logic ------------------------------------------------------------------------


def _truth(collection: Collection) -> bool | None:
    if not collection:
        return None
    if len(collection) > 1:
        raise NotFast("collection where a boolean is expected")
    value = collection[0]
    return value if isinstance(value, bool) else True


def _as_list(value: bool | None) -> Collection:
    return [] if value is None else [value]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        if len(a) != len(b) and TEMPORAL.match(a) and TEMPORAL.match(b):
            raise NotFast("dates of different precision")
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _equal(left: Collection, right: Collection) -> Collection:
    if not left or not right:
        return []
    if len(left) != len(right):
        return [False]
    return [all(_same(a, b) for a, b in zip(left, right, strict=True))]


def _order(left: Collection, right: Collection, op: str) -> Collection:
    if not left or not right:
        return []
    if len(left) > 1 or len(right) > 1:
        raise NotFast("comparison of collections")
    a, b = left[0], right[0]
    numbers = (int, float, Decimal)
    if isinstance(a, bool) or isinstance(b, bool):
        raise NotFast("boolean comparison")
    if isinstance(a, str) and isinstance(b, str):
        _comparable_strings(a, b)
    elif not (isinstance(a, numbers) and isinstance(b, numbers)):
        raise NotFast("comparison of mixed types")
    return [{"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]]


def _comparable_strings(a: str, b: str) -> None:
    """Plain string order equals time order only for the same format without offsets."""
    if TEMPORAL.match(a) or TEMPORAL.match(b):
        same_shape = len(a) == len(b) and "T" not in a and "T" not in b
        if not same_shape:
            raise NotFast("date or time comparison")


def _logic(op: str, left: bool | None, right: bool | None) -> bool | None:
    if op == "and":
        if left is False or right is False:
            return False
        return True if left and right else None
    if op == "or":
        if left or right:
            return True
        return False if left is False and right is False else None
    if op == "xor":
        return None if left is None or right is None else left != right
    if left is False or right is True:  # implies
        return True
    return None if left is None or right is None else right


def _unique(values: Collection) -> Collection:
    out: Collection = []
    for value in values:
        if not any(_same(value, seen) for seen in out):
            out.append(value)
    return out


# -- compilation -----------------------------------------------------------------------------


def _compile(node: dict[str, Any]) -> Fn:
    kind = node.get("type")
    handler = NODE_HANDLERS.get(kind)
    if handler is None:
        raise NotFast(f"node {kind}")
    return handler(node)


def _first_child(node: dict[str, Any]) -> Fn:
    return _compile(node["children"][0])


def _identifier(node: dict[str, Any]) -> str:
    return node["children"][0]["terminalNodeText"][0].strip("`")


def _member_invocation(node: dict[str, Any]) -> Fn:
    step = _member_step(_identifier(node))
    return lambda focus, env: step(focus)


def _this(node: dict[str, Any]) -> Fn:
    if node["terminalNodeText"] != ["$this"]:
        raise NotFast("$index or $total")
    return lambda focus, env: env.this


def _invocation_expression(node: dict[str, Any]) -> Fn:
    choice = _choice_of_type(node)
    if choice is not None:
        return choice
    left, right = (_compile(c) for c in node["children"])
    return lambda focus, env: right(left(focus, env), env)


def _function_name(node: dict[str, Any]) -> str | None:
    if node.get("type") != "FunctionInvocation":
        return None
    return _identifier(node["children"][0])


def _choice_of_type(node: dict[str, Any]) -> Fn | None:
    """`value.ofType(string)` reads `valueString`: the JSON name carries the type."""
    left, right = node["children"]
    if _function_name(right) != "ofType":
        return None
    type_name = _type_argument(right)
    if type_name[0].isupper() and type_name not in TYPE_SUFFIXES:
        return None  # a resource type: the generic ofType filters by resourceType
    if left.get("type") == "InvocationExpression":
        prefix, step = _compile(left["children"][0]), left["children"][1]
    else:
        prefix, step = (lambda focus, env: focus), left
    while step.get("type") in ("TermExpression", "InvocationTerm"):
        step = step["children"][0]
    if step.get("type") != "MemberInvocation":
        return None
    name = _identifier(step)
    key = name + type_name[0].upper() + type_name[1:]

    def evaluate(focus: Collection, env: Env) -> Collection:
        items = prefix(focus, env)
        if any(isinstance(i, dict) and (name in i or "_" + key in i) for i in items):
            raise NotFast("ofType on an element that may not be a choice")
        return _member([{key: i[key]} for i in items if isinstance(i, dict) and key in i], key)

    return evaluate


def _type_argument(function: dict[str, Any]) -> str:
    functn = function["children"][0]
    params = functn["children"][1]["children"] if len(functn["children"]) > 1 else []
    if len(params) != 1:
        raise NotFast("type argument expected")
    text = params[0].get("text", "")
    if not text.replace("FHIR.", "", 1).isidentifier():
        raise NotFast("qualified type")
    return text.replace("FHIR.", "", 1)


def _indexer(node: dict[str, Any]) -> Fn:
    left = _compile(node["children"][0])
    index = _literal_value(node["children"][1])
    if not isinstance(index, int):
        raise NotFast("computed index")
    return lambda focus, env: left(focus, env)[index : index + 1]


def _literal(node: dict[str, Any]) -> Fn:
    value = _literal_value(node)
    constant = [] if value is None else [value]
    return lambda focus, env: constant


def _literal_value(node: dict[str, Any]) -> Any:
    while node.get("type") in ("TermExpression", "LiteralTerm"):
        node = node["children"][0]
    kind, text = node.get("type"), node.get("terminalNodeText", [""])[0]
    if kind == "StringLiteral":
        body = text[1:-1]
        if "\\" in body:
            raise NotFast("escaped string literal")
        return body
    if kind == "NumberLiteral":
        return int(text) if text.isdigit() else Decimal(text)
    if kind == "BooleanLiteral":
        return text == "true"
    if kind == "NullLiteral":
        return None
    raise NotFast(f"literal {kind}")


def _external_constant(node: dict[str, Any]) -> Fn:
    inner = node["children"][0]
    name = _identifier(inner) if inner.get("type") == "ExternalConstant" else None
    if name == "resource":
        return lambda focus, env: [env.resource]
    if name == "rootResource":
        return lambda focus, env: [env.root]
    if name == "ucum":
        return lambda focus, env: ["http://unitsofmeasure.org"]
    raise NotFast(f"%{name}")


def _binary(node: dict[str, Any]) -> Fn:
    op = node["terminalNodeText"][0]
    left, right = (_compile(c) for c in node["children"])
    combine = BINARY.get(op)
    if combine is None:
        raise NotFast(f"operator {op}")
    return lambda focus, env: combine(left(focus, env), right(focus, env))


def _boolean(node: dict[str, Any]) -> Fn:
    op = node["terminalNodeText"][0]
    left, right = (_compile(c) for c in node["children"])

    def evaluate(focus: Collection, env: Env) -> Collection:
        return _as_list(_logic(op, _truth(left(focus, env)), _truth(right(focus, env))))

    return evaluate


def _plus(left: Collection, right: Collection) -> Collection:
    if not left or not right:
        return []
    if len(left) > 1 or len(right) > 1:
        raise NotFast("+ on collections")
    a, b = left[0], right[0]
    numbers = (int, Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool | float):
        if not isinstance(b, bool | float):
            return [a + b]
    if isinstance(a, str) and isinstance(b, str) and not (TEMPORAL.match(a) or TEMPORAL.match(b)):
        return [a + b]
    raise NotFast("+ on these types")


def _concat(left: Collection, right: Collection) -> Collection:
    parts = [*left[:1], *right[:1]]
    if len(left) > 1 or len(right) > 1 or not all(isinstance(p, str) for p in parts):
        raise NotFast("& needs strings")
    return ["".join(parts)]


BINARY: dict[str, Callable[[Collection, Collection], Collection]] = {
    "=": _equal,
    "!=": lambda a, b: [not r for r in _equal(a, b)],
    "<": lambda a, b: _order(a, b, "<"),
    ">": lambda a, b: _order(a, b, ">"),
    "<=": lambda a, b: _order(a, b, "<="),
    ">=": lambda a, b: _order(a, b, ">="),
    "in": lambda a, b: [] if not a else [any(_same(a[0], v) for v in b)] if len(a) == 1 else _nf(),
    "contains": lambda a, b: (
        [] if not b else [any(_same(b[0], v) for v in a)] if len(b) == 1 else _nf()
    ),
    "|": lambda a, b: _unique(a + b),
    "&": _concat,
    "+": _plus,
}


def _nf() -> Collection:
    raise NotFast("membership of a collection")


# -- functions -------------------------------------------------------------------------------


def _function(node: dict[str, Any]) -> Fn:
    functn = node["children"][0]
    name = _identifier(functn)
    params = functn["children"][1]["children"] if len(functn["children"]) > 1 else []
    factory = FUNCTIONS.get(name)
    if factory is None:
        raise NotFast(f"function {name}")
    return factory(params)


def _no_args(fn: Callable[[Collection, Env], Collection]) -> Callable[[list], Fn]:
    def factory(params: list) -> Fn:
        if params:
            raise NotFast("unexpected arguments")
        return fn

    return factory


def _with_criteria(apply: Callable[[Collection, Env, Fn], Collection]) -> Callable[[list], Fn]:
    def factory(params: list) -> Fn:
        if len(params) != 1:
            raise NotFast("criteria expected")
        criteria = _compile(params[0])
        return lambda focus, env: apply(focus, env, criteria)

    return factory


def _with_literal(apply: Callable[[Collection, Env, Any], Collection]) -> Callable[[list], Fn]:
    def factory(params: list) -> Fn:
        if len(params) != 1:
            raise NotFast("one literal argument expected")
        value = _literal_value(params[0])
        return lambda focus, env: apply(focus, env, value)

    return factory


def _matching(focus: Collection, env: Env, criteria: Fn) -> Collection:
    return [item for item in focus if _truth(criteria([item], env.at(item))) is True]


def _exists(params: list) -> Fn:
    if not params:
        return lambda focus, env: [bool(focus)]
    criteria = _compile(params[0])
    return lambda focus, env: [bool(_matching(focus, env, criteria))]


def _all(focus: Collection, env: Env, criteria: Fn) -> Collection:
    return [all(_truth(criteria([item], env.at(item))) is True for item in focus)]


def _select(focus: Collection, env: Env, criteria: Fn) -> Collection:
    return [value for item in focus for value in criteria([item], env.at(item))]


def _not(focus: Collection, env: Env) -> Collection:
    value = _truth(focus)
    if focus and not isinstance(focus[0], bool):
        raise NotFast("not() of a non-boolean")
    return _as_list(None if value is None else not value)


def _has_value(focus: Collection, env: Env) -> Collection:
    return [len(focus) == 1 and not isinstance(focus[0], dict | list)]


def _string_test(test: Callable[[str, str], bool]) -> Callable[[list], Fn]:
    def apply(focus: Collection, env: Env, value: Any) -> Collection:
        if not focus:
            return []
        if len(focus) > 1 or not isinstance(focus[0], str) or not isinstance(value, str):
            raise NotFast("string function on a non-string")
        return [test(focus[0], value)]

    return _with_literal(apply)


def _resolve(focus: Collection, env: Env) -> Collection:
    found = []
    for item in focus:
        ref = item.get("reference") if isinstance(item, dict) else item
        target = env.scope.references.get(ref) if isinstance(ref, str) else None
        if target is not None:
            found.append(target)
    return found


def _member_of(focus: Collection, env: Env, value_set: Any) -> Collection:
    check = env.scope.member_of
    if check is None or len(focus) != 1:
        return []
    return [check(focus[0], value_set)]


def _is_distinct(focus: Collection, env: Env) -> Collection:
    return [len(_unique(focus)) == len(focus)]


def _trace(params: list) -> Fn:
    return lambda focus, env: focus


def _iif(params: list) -> Fn:
    if len(params) not in (2, 3):
        raise NotFast("iif arity")
    criterion, then = _compile(params[0]), _compile(params[1])
    otherwise = _compile(params[2]) if len(params) == 3 else None

    def evaluate(focus: Collection, env: Env) -> Collection:
        if len(focus) > 1:
            raise NotFast("iif on a collection")
        if _truth(criterion(focus, env)) is True:
            return then(focus, env)
        return otherwise(focus, env) if otherwise else []

    return evaluate


def _resource_type_filter(params: list) -> Fn:
    if len(params) != 1:
        raise NotFast("type argument expected")
    type_name = params[0].get("text", "")
    if not type_name[:1].isupper() or type_name in TYPE_SUFFIXES:
        raise NotFast("ofType on a data type")

    def evaluate(focus: Collection, env: Env) -> Collection:
        if any(not isinstance(i, dict) or "resourceType" not in i for i in focus):
            raise NotFast("ofType on something that is not a resource")
        return [i for i in focus if i["resourceType"] == type_name]

    return evaluate


def _extension(focus: Collection, env: Env, url: Any) -> Collection:
    out = []
    for item in focus:
        if not isinstance(item, dict):
            raise NotFast("extension() on a primitive")
        extensions = item.get("extension")
        for ext in extensions if isinstance(extensions, list) else []:
            if isinstance(ext, dict) and ext.get("url") == url:
                out.append(ext)
    return out


FUNCTIONS: dict[str, Callable[[list], Fn]] = {
    "exists": _exists,
    "empty": _no_args(lambda focus, env: [not focus]),
    "count": _no_args(lambda focus, env: [len(focus)]),
    "first": _no_args(lambda focus, env: focus[:1]),
    "last": _no_args(lambda focus, env: focus[-1:]),
    "not": _no_args(_not),
    "hasValue": _no_args(_has_value),
    "isDistinct": _no_args(_is_distinct),
    "resolve": _no_args(_resolve),
    "where": _with_criteria(_matching),
    "all": _with_criteria(_all),
    "select": _with_criteria(_select),
    "contains": _string_test(lambda s, v: v in s),
    "startsWith": _string_test(lambda s, v: s.startswith(v)),
    "endsWith": _string_test(lambda s, v: s.endswith(v)),
    "memberOf": _with_literal(_member_of),
    "trace": _trace,
    "iif": _iif,
    "ofType": _resource_type_filter,
    "extension": _with_literal(_extension),
}

NODE_HANDLERS: dict[str | None, Callable[[dict[str, Any]], Fn]] = {
    "TermExpression": _first_child,
    "InvocationTerm": _first_child,
    "ParenthesizedTerm": _first_child,
    "LiteralTerm": _literal,
    "ExternalConstantTerm": _external_constant,
    "MemberInvocation": _member_invocation,
    "ThisInvocation": _this,
    "FunctionInvocation": _function,
    "InvocationExpression": _invocation_expression,
    "IndexerExpression": _indexer,
    "EqualityExpression": _binary,
    "InequalityExpression": _binary,
    "MembershipExpression": _binary,
    "UnionExpression": _binary,
    "AdditiveExpression": _binary,
    "AndExpression": _boolean,
    "OrExpression": _boolean,
    "ImpliesExpression": _boolean,
}
