"""Compile spec templates (YAML trees) into functions of a scope that build FHIR JSON.

Plain values are literals; `=expr` strings are expressions; strings with `{expr}` are
interpolated; dicts whose keys start with `$` are directives (`$each`, `$if`, `$use`, `$ref`,
`$id`, `$literal`). Empty results (None, [], {}) are left out, so optional elements vanish.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from adapter.mapping.errors import SpecError
from adapter.mapping.expressions import Evaluator, Scope, Tables, compile_expression
from adapter.mapping.ids import resource_id

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
DEFAULT_ITEM = "it"


class _Each:
    """Marks a compiled `$each` so an enclosing list splices its elements in."""

    __slots__ = ("evaluate",)

    def __init__(self, evaluate: Evaluator) -> None:
        self.evaluate = evaluate


class TemplateCompiler:
    """Compiles templates against one set of code tables, fragments and constants."""

    def __init__(self, tables: Tables, fragments: Mapping[str, Any], constants: Scope) -> None:
        self.tables = tables
        self.constants = constants
        self._fragment_sources = fragments
        self._fragments: dict[str, Evaluator] = {}
        self._compiling: set[str] = set()

    def compile(self, node: Any) -> Evaluator:
        compiled = self._compile(node)
        return compiled.evaluate if isinstance(compiled, _Each) else compiled

    def expression(self, text: str) -> Evaluator:
        return compile_expression(text, self.tables, self.constants)

    def _compile(self, node: Any) -> Evaluator | _Each:
        if isinstance(node, str):
            return self._string(node)
        if isinstance(node, list):
            return self._list(node)
        if isinstance(node, dict):
            if any(str(k).startswith("$") for k in node):
                return self._directive(node)
            return self._object(node)
        return lambda scope: node

    def _string(self, text: str) -> Evaluator:
        if text.startswith("="):
            return self.expression(text[1:])
        if "{" in text:
            return self.interpolation(text)
        return lambda scope: text

    def interpolation(self, text: str) -> Evaluator:
        """`mbr-{member.member_id}`: None when any placeholder is missing."""
        text = _PLACEHOLDER.sub(self._fold_constant, text)
        literals = _PLACEHOLDER.split(text)[::2]
        parts = [self.expression(p) for p in _PLACEHOLDER.findall(text)]

        if not parts:
            return lambda scope: text

        def render(scope: Scope) -> str | None:
            out = [literals[0]]
            for part, literal in zip(parts, literals[1:], strict=True):
                value = part(scope)
                if value is None:
                    return None
                out.append(str(value))
                out.append(literal)
            return "".join(out)

        return render

    def _fold_constant(self, match: re.Match[str]) -> str:
        """`{base}` and other constants are written into the text once, at compile time."""
        name = match.group(1).strip()
        value = self.constants.get(name)
        return str(value) if isinstance(value, str | int) else match.group(0)

    def _element(self, node: Any) -> Evaluator | _Each:
        """A template element; values an expression picks from the input are copied, so the
        Bundle never shares a list or dict with the record it came from."""
        compiled = self._compile(node)
        if isinstance(node, str) and node.startswith("=") and not isinstance(compiled, _Each):
            return lambda scope: _detached(compiled(scope))
        return compiled

    def _list(self, nodes: list[Any]) -> Evaluator:
        compiled = [self._element(n) for n in nodes]

        def build(scope: Scope) -> list[Any] | None:
            out: list[Any] = []
            for element in compiled:
                if isinstance(element, _Each):
                    out.extend(element.evaluate(scope) or ())
                    continue
                value = element(scope)
                if not _is_empty(value):
                    out.append(value)
            return out or None

        return build

    def _object(self, node: dict[str, Any]) -> Evaluator:
        fields = [(str(k), _evaluator(self._element(v))) for k, v in node.items()]

        def build(scope: Scope) -> dict[str, Any] | None:
            out = {}
            for key, evaluate in fields:
                value = evaluate(scope)
                if not _is_empty(value):
                    out[key] = value
            return out or None

        return build

    def _directive(self, node: dict[str, Any]) -> Evaluator | _Each:
        for name, build in _DIRECTIVES.items():
            if name in node:
                return build(self, node)
        raise SpecError(f"unknown directive in {sorted(node)}")

    def each(self, node: dict[str, Any]) -> _Each:
        items = self.compile(node["$each"])
        name = node.get("$as", DEFAULT_ITEM)
        body = self.compile(node["$do"])

        def build(scope: Scope) -> list[Any] | None:
            values = items(scope)
            if values is None:
                return None
            out = []
            for value in values if isinstance(values, list) else [values]:
                result = body({**scope, name: value})
                if not _is_empty(result):
                    out.append(result)
            return out or None

        return _Each(build)

    def when(self, node: dict[str, Any]) -> Evaluator:
        test = self.compile(node["$if"])
        then = self.compile(node["$do"])
        otherwise = self.compile(node.get("$else"))
        return lambda scope: then(scope) if _truthy(test(scope)) else otherwise(scope)

    def use(self, node: dict[str, Any]) -> Evaluator:
        fragment = self.fragment(node["$use"])
        argument = self.compile(node.get("$with", "=" + DEFAULT_ITEM))

        def build(scope: Scope) -> Any:
            value = argument(scope)
            if _is_empty(value):
                return None
            if isinstance(value, list):
                return [r for v in value if not _is_empty(r := fragment({**scope, "it": v}))]
            return fragment({**scope, DEFAULT_ITEM: value})

        return build

    def fragment(self, name: str) -> Evaluator:
        if name in self._fragments:
            return self._fragments[name]
        if name not in self._fragment_sources:
            raise SpecError(f"unknown fragment {name!r}")
        if name in self._compiling:
            raise SpecError(f"fragment {name!r} uses itself")
        self._compiling.add(name)
        self._fragments[name] = self.compile(self._fragment_sources[name])
        self._compiling.discard(name)
        return self._fragments[name]

    def reference(self, node: dict[str, Any]) -> Evaluator:
        resource_type, _, id_template = str(node["$ref"]).partition("/")
        rid = self.identifier({"$id": id_template})
        display = self.compile(node.get("$display"))

        def build(scope: Scope) -> dict[str, str] | None:
            value = rid(scope)
            if value is None:
                return None
            ref = {"reference": f"{resource_type}/{value}"}
            label = display(scope)
            if label is not None:
                ref["display"] = label
            return ref

        return build

    def identifier(self, node: dict[str, Any]) -> Evaluator:
        render = self.interpolation(str(node["$id"]))

        def build(scope: Scope) -> str | None:
            text = render(scope)
            return None if text is None else resource_id(text)

        return build

    def literal(self, node: dict[str, Any]) -> Evaluator:
        value = node["$literal"]
        return lambda scope: value


_DIRECTIVES: dict[str, Callable[[TemplateCompiler, dict[str, Any]], Evaluator | _Each]] = {
    "$each": TemplateCompiler.each,
    "$if": TemplateCompiler.when,
    "$use": TemplateCompiler.use,
    "$ref": TemplateCompiler.reference,
    "$id": TemplateCompiler.identifier,
    "$literal": TemplateCompiler.literal,
}


def _evaluator(compiled: Evaluator | _Each) -> Evaluator:
    return compiled.evaluate if isinstance(compiled, _Each) else compiled


def _detached(value: Any) -> Any:
    if isinstance(value, list):
        return [_detached(v) for v in value]
    if isinstance(value, dict):
        return {k: _detached(v) for k, v in value.items()}
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != [] and value != {}
