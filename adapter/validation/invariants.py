"""FHIRPath invariants: expressions compiled once, missing functions supplied, failures explicit.

fhirpathpy lacks `hasValue()`, `memberOf()`, `conformsTo()`, `resolve()` and `htmlChecks()`; they
are supplied through its user invocation table. Those that need the resource being validated
(its Bundle, its contained resources, the validator) read it from `EvaluationScope`, a context
variable set by the walker, because compiled expressions carry their function table with them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import fhirpathpy
from fhirpathpy.engine.nodes import ResourceNode
from fhirpathpy.models import models

from adapter.validation import narrative
from adapter.validation.fastpath import Env, NotFast, compile_fast
from adapter.validation.model import Constraint
from adapter.validation.scope import OFFLINE, SCOPE, EvaluationScope, UnsupportedCheck

R4_MODEL = models["r4"]
__all__ = ["OFFLINE", "SCOPE", "EvaluationScope", "InvariantEngine", "UnsupportedCheck"]


NO_SCOPE = EvaluationScope()  # outside a validation: nothing resolves, no terminology


def _scope() -> EvaluationScope:
    return SCOPE.get(NO_SCOPE)


def _has_value(inputs: list[Any]) -> list[bool]:
    return [len(inputs) == 1 and not isinstance(inputs[0], dict | list) and inputs[0] is not None]


def _resolve(inputs: list[Any]) -> list[Any]:
    references = _scope().references
    found = []
    for item in inputs:
        ref = item.get("reference") if isinstance(item, dict) else item
        target = references.get(ref) if isinstance(ref, str) else None
        if target is not None:
            found.append(ResourceNode.create_node(target, target.get("resourceType")))
    return found


def _member_of(inputs: list[Any], value_set: str) -> list[bool]:
    check = _scope().member_of
    if check is None or len(inputs) != 1:
        return []
    return [check(inputs[0], value_set)]


def _conforms_to(inputs: list[Any], profile: str) -> list[bool]:
    check = _scope().conforms_to
    if check is None or len(inputs) != 1:
        return []
    return [check(inputs[0], profile)]


def _html_checks(inputs: list[Any]) -> list[bool]:
    """The R4 narrative rules (see `narrative`), as the FHIRPath function txt-1 calls."""
    text = str(inputs[0]) if inputs else ""
    return [not narrative.problems(text)]


def _trace(inputs: list[Any], *_: Any) -> list[Any]:
    # The R4 definitions call trace() inside ref-1 and dom-3; it must not write to stdout.
    return inputs


USER_FUNCTIONS: dict[str, dict[str, Any]] = {
    "hasValue": {"fn": _has_value},
    "resolve": {"fn": _resolve},
    "memberOf": {"fn": _member_of, "arity": {1: ["String"]}},
    "conformsTo": {"fn": _conforms_to, "arity": {1: ["String"]}},
    "htmlChecks": {"fn": _html_checks},
    "trace": {"fn": _trace, "arity": {0: [], 1: ["String"], 2: ["String", "AnyAtRoot"]}},
}


def _children_present(value: Any) -> bool:
    """A property other than `id` (the keys are distinct, so one more than `id` alone)."""
    return isinstance(value, dict) and (len(value) > 1 or (bool(value) and "id" not in value))


def _ele_1(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    if isinstance(value, dict):
        return _children_present(value)
    return value is not None


def _ext_1(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    has_ext = bool(value.get("extension")) if isinstance(value, dict) else False
    has_value = isinstance(value, dict) and any(
        k.startswith("value") and len(k) > 5 and k[5].isupper() for k in value
    )
    return has_ext != has_value


def _contained(value: Any) -> list[Any]:
    contained = value.get("contained", []) if isinstance(value, dict) else []
    return contained if isinstance(contained, list) else []


def _dom_2(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    return not any(isinstance(c, dict) and c.get("contained") for c in _contained(value))


def _dom_4(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    metas = [c.get("meta") for c in _contained(value) if isinstance(c, dict)]
    return not any(isinstance(m, dict) and ("versionId" in m or "lastUpdated" in m) for m in metas)


def _dom_5(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    metas = [c.get("meta") for c in _contained(value) if isinstance(c, dict)]
    return not any(isinstance(m, dict) and m.get("security") for m in metas)


def _dom_6(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    text = value.get("text") if isinstance(value, dict) else None
    return isinstance(text, dict) and "div" in text


def _ref_1(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    reference = value.get("reference") if isinstance(value, dict) else None
    if not isinstance(reference, str) or not reference.startswith("#") or reference == "#":
        return True
    return any(isinstance(c, dict) and c.get("id") == reference[1:] for c in _contained(root))


def _txt_1(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    """Each narrative problem is reported on the div itself, with its reason (instance walker)."""
    return True


def _txt_2(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    """Some text outside the markup."""
    return bool(re.sub(r"<[^>]*>", "", str(value)).strip())


def _references_in(value: Any, found: set[str]) -> None:
    """Local references: `reference` values, and canonical/uri/url values such as `#vs`."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "contained":
                continue
            if isinstance(item, str) and (key == "reference" or item.startswith("#")):
                found.add(item)
            _references_in(item, found)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.startswith("#"):
                found.add(item)
            _references_in(item, found)


def _dom_3(value: Any, resource: dict[str, Any], root: dict[str, Any]) -> bool:
    contained = [c for c in _contained(value) if isinstance(c, dict)]
    if not contained:
        return True
    found: set[str] = set()
    _references_in(value, found)
    for item in contained:
        _references_in(item, found)  # a contained resource may refer back to its container
    if "#" in found:
        return True
    return all("#" + str(c.get("id")) in found for c in contained)


# Same meaning as the R4 expressions, evaluated natively because they sit on almost every
# element; keyed by the exact expression so that a profile redefining a key is still evaluated.
NativeCheck = Callable[[Any, dict[str, Any], dict[str, Any]], bool]
NATIVE: dict[tuple[str, str], NativeCheck] = {
    (
        "ref-1",
        "reference.startsWith('#').not() or (reference.substring(1).trace('url') in "
        "%rootResource.contained.id.trace('ids'))",
    ): _ref_1,
    ("txt-1", "htmlChecks()"): _txt_1,
    ("txt-2", "htmlChecks()"): _txt_2,
    ("ele-1", "hasValue() or (children().count() > id.count())"): _ele_1,
    ("ext-1", "extension.exists() != value.exists()"): _ext_1,
    ("dom-2", "contained.contained.empty()"): _dom_2,
    (
        "dom-4",
        "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()",
    ): _dom_4,
    ("dom-5", "contained.meta.security.empty()"): _dom_5,
    ("dom-6", "text.`div`.exists()"): _dom_6,
}
DOM_3_PREFIX = "contained.where((('#'+id in (%resource.descendants().reference"


def native_check(constraint: Constraint) -> NativeCheck | None:
    """The native form of a base R4 constraint, when its expression is exactly the R4 one."""
    native = NATIVE.get((constraint.key, constraint.expression))
    if native is None and constraint.key == "dom-3":
        native = _dom_3 if constraint.expression.startswith(DOM_3_PREFIX) else None
    return native


class InvariantEngine:
    """Evaluates constraints; returns None when one holds, else why it does not."""

    def __init__(self, *, fast: bool = True) -> None:
        self._compiled: dict[str, Callable[..., list[Any]] | Exception] = {}
        self._fast: dict[str, Callable[..., list[Any]] | None] = {}
        self.fast = fast

    def _compile(self, expression: str) -> Callable[..., list[Any]] | Exception:
        if expression not in self._compiled:
            try:
                self._compiled[expression] = fhirpathpy.compile(
                    expression, model=R4_MODEL, options={"userInvocationTable": USER_FUNCTIONS}
                )
            except Exception as exc:  # the parser raises bare Exceptions
                self._compiled[expression] = exc
        return self._compiled[expression]

    def failure(
        self,
        constraint: Constraint,
        value: Any,
        type_path: str,
        resource: dict[str, Any],
        root: dict[str, Any],
        variables: dict[str, Any] | None = None,
    ) -> str | None:
        """`variables` adds environment variables such as `%extension` (fhirpathpy only)."""
        native = native_check(constraint)
        if native is not None:
            return None if native(value, resource, root) else "is not satisfied"
        try:
            result = (
                None
                if variables
                else self._evaluate_fast(constraint.expression, value, resource, root)
            )
        except UnsupportedCheck as exc:
            return f"{OFFLINE} ({exc})"
        if result is not None:
            return None if result == [True] else _failed(result)
        compiled = self._compile(constraint.expression)
        if isinstance(compiled, Exception):
            return f"could not be parsed ({compiled})"
        node = ResourceNode.create_node(value, type_path)
        try:
            result = compiled(
                node, {"resource": resource, "rootResource": root, **(variables or {})}
            )
        except UnsupportedCheck as exc:
            return f"{OFFLINE} ({exc})"
        except Exception as exc:  # fhirpathpy signals unsupported functions with bare Exceptions
            return f"could not be evaluated ({exc})"
        return None if result == [True] else _failed(result)

    def _evaluate_fast(self, expression: str, value: Any, resource, root) -> list[Any] | None:
        """The fast path's result, or None when the expression or this input needs fhirpathpy."""
        if not self.fast:
            return None
        if expression not in self._fast:
            self._fast[expression] = compile_fast(expression)
        fast = self._fast[expression]
        if fast is None:
            return None
        try:
            return fast([value], Env([value], resource, root, _scope()))
        except NotFast:
            return None


def _failed(result: list[Any]) -> str:
    return "evaluated to empty" if not result else "is not satisfied"
