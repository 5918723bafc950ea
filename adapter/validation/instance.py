"""Walks one resource instance along a compiled profile and collects every issue it finds.

Expressions follow one convention: FHIRPath from the resource type, an index on every element
that repeats in base R4 (`Patient.name[0].given[1]`), choice elements as
`value.ofType(CodeableConcept)`, and nested resources by their container's path
(`Bundle.entry[3].resource.status`, `Patient.contained[0].name[0]`). A missing required element
is reported at the path where it should be (`Task.status`), a primitive's extension below the
primitive (`Task.status.extension[0]`), and a JSON property that is no element of its type by
its JSON name (`Task.colour`, `Observation.valueFoo`, `Task._for`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from adapter.outcome import Issue
from adapter.validation import narrative, slicing
from adapter.validation.codes import check_binding, check_coding
from adapter.validation.contexts import context_problem, holder
from adapter.validation.definitions import Definitions
from adapter.validation.invariants import InvariantEngine
from adapter.validation.model import Constraint, ElementNode, StructureModel
from adapter.validation.primitives import PrimitiveRules, range_problem
from adapter.validation.references import check_reference
from adapter.validation.scope import OFFLINE, SCOPE, EvaluationScope
from adapter.validation.shapes import GENERAL, PLAIN, ShapePlan
from adapter.validation.terminology import Terminology

BACKBONE_TYPES = frozenset({"BackboneElement", "Element", ""})
# What an item of a type code is walked as (Engine.kind_of)
PRIMITIVE, RESOURCE, COMPLEX = "primitive", "resource", "complex"
RESOURCE_BASES = frozenset({"Resource", "DomainResource"})


class Engine(Protocol):
    """What the walker needs from the validator that drives it."""

    definitions: Definitions
    primitives: PrimitiveRules
    terminology: Terminology
    invariants: InvariantEngine
    report_must_support: bool

    def type_root(self, code: str) -> ElementNode | None: ...

    def rules_for(
        self, node: ElementNode, code: str
    ) -> tuple[tuple[Constraint, Callable[..., bool] | None], ...]: ...

    def is_resource_type(self, code: str) -> bool: ...

    def kind_of(self, code: str) -> str: ...

    def is_plain_primitive(self, node: ElementNode, code: str) -> bool: ...

    def shape_plan(
        self, owner: ElementNode, value: dict[str, Any], is_resource: bool
    ) -> ShapePlan: ...

    def in_value_set(self, value: Any, value_set: str) -> bool: ...

    def validate_nested(
        self,
        value: dict[str, Any],
        expr: str,
        issues: list[Issue],
        root: dict[str, Any],
        scope: EvaluationScope,
        profiles: list[str],
    ) -> None: ...

    def model(self, url: str) -> StructureModel | str: ...

    def conform_element(
        self, walker: InstanceWalker, value: Any, url: str, code: str, expr: str
    ) -> None: ...

    def target_conforms(
        self, target: dict[str, Any], profile: str, root: dict[str, Any], scope: EvaluationScope
    ) -> bool | None: ...


class InstanceWalker:
    """One resource (and what it contains) against one profile; issues go to a shared list."""

    def __init__(
        self,
        validator: Engine,
        issues: list[Issue],
        resource: dict[str, Any],
        root: dict[str, Any],
        scope: EvaluationScope,
    ) -> None:
        self.v = validator
        self.issues = issues
        self.resource = resource
        self.root = root
        self.scope = scope
        self.base_expr = ""  # the resource's own expression, where element paths start
        self.holder_type = ""  # the type of the element whose children are being walked
        self.holder_value: Any = None  # and its value

    def report(self, severity: str, code: str, message: str, expr: str) -> None:
        self.issues.append(Issue(severity, code, message, (expr,)))

    # -- resources -------------------------------------------------------------------------

    def walk_resource(self, model: StructureModel, expr: str) -> None:
        self.base_expr = expr
        token = SCOPE.set(self.scope)  # what resolve() and memberOf() see while walking
        try:
            self.complex(self.resource, model.root, model.type, expr, is_resource=True)
            self.constraints(model.root, self.resource, model.type, expr)
        finally:
            SCOPE.reset(token)

    def nested_resource(
        self, value: Any, expr: str, *, contained: bool, node: ElementNode | None = None
    ) -> None:
        if not isinstance(value, dict):
            self.report("error", "structure", "A resource must be a JSON object", expr)
            return
        root = self.root if contained else value
        profiles = self._resource_profiles(value, node, expr) if node else []
        if profiles is None:
            return
        self.v.validate_nested(value, expr, self.issues, root, self.scope, profiles)

    def _resource_profiles(self, value: dict[str, Any], node: ElementNode, expr: str):
        """The profiles an element typed as a resource gives its content (`Bundle.entry.resource`
        or `Parameters.parameter.resource` in a profile); None when the type is not allowed."""
        kind = value.get("resourceType")
        allowed = {t.code for t in node.types}
        if not isinstance(kind, str) or not allowed or allowed & {"Resource", "DomainResource"}:
            by_type = [t for t in node.types if t.code in ("Resource", "DomainResource")]
        elif kind not in allowed:
            message = f"A {kind} is not allowed here; expected {' or '.join(sorted(allowed))}"
            self.report("error", "structure", message, f"{expr}.resourceType")
            return None
        else:
            by_type = [t for t in node.types if t.code == kind]
        profiles = [p for t in by_type for p in t.profiles]
        models = [self.v.model(p) for p in profiles]
        fitting = [
            p for p, m in zip(profiles, models, strict=True) if isinstance(m, str) or m.type == kind
        ]
        if len(fitting) <= 1:
            return [p for p in fitting if not isinstance(self.v.model(p), str)]
        verdicts = [self._resource_conforms(value, p) for p in fitting]
        if not any(v is None or v for v in verdicts):
            message = f"The {kind} conforms to none of {', '.join(fitting)}"
            self.report("error", "structure", message, expr)
        return []

    # -- elements --------------------------------------------------------------------------

    def complex(
        self,
        value: dict[str, Any],
        node: ElementNode,
        code: str,
        expr: str,
        is_resource: bool = False,
    ) -> None:
        owner = node if node.children else self.v.type_root(code)
        if owner is None:
            self.report("error", "structure", f"Unknown type '{code}'", expr)
            return
        plan = self.v.shape_plan(owner, value, is_resource)
        for key in plan.unknown:
            self.report("error", "structure", f"Unknown element '{key}'", f"{expr}.{key}")
        outer = self.holder_type, self.holder_value
        self.holder_type, self.holder_value = code, value
        problem_of = self.v.primitives.problem
        for child, found_keys, mode in plan.present:
            if mode is GENERAL:
                self.element(value, child, found_keys, expr)
                continue
            key, type_code = found_keys[0]
            raw = value.get(key)
            if mode is PLAIN and raw is not None and not isinstance(raw, list | dict):
                problem = problem_of(type_code, raw)
                if problem:
                    where = self._path(expr, child, type_code if child.is_choice else None)
                    self.report("error", "value", f"Value {_show(raw)} {problem}", where)
                continue
            path = self._path(expr, child, type_code if child.is_choice else None)
            self._single(value, child, key, type_code, path, expr)
        self.holder_type, self.holder_value = outer
        for child in plan.absent:
            self._absent(child, self._path(expr, child, None))

    def _absent(self, child: ElementNode, expr: str) -> None:
        self._cardinality(child, 0, expr)
        self._must_support(child, expr)
        for slice_node in child.slices:
            self._slice_cardinality(child, slice_node, 0, expr)

    def element(
        self, parent: dict[str, Any], child: ElementNode, present: list[tuple[str, str]], expr: str
    ) -> None:
        if len(present) > 1:
            names = ", ".join(k for k, _ in present)
            where = f"{expr}.{present[1][0]}"
            self.report("error", "structure", f"Only one of {names} is allowed", where)
        key, code = present[0]
        if not child.repeats and not child.slices:
            base = self._path(expr, child, code if child.is_choice else None)
            self._single(parent, child, key, code, base, expr)
            return
        base = self._path(expr, child, code if child.is_choice else None)
        items = self._items(parent, key, child, expr)
        if items is None:
            return
        values, extras = items
        self._cardinality(child, len(values), base)
        exprs = [f"{base}[{i}]" if child.repeats else base for i in range(len(values))]
        if child.slicing or child.slices:
            self.slices(values, extras, child, code, exprs, base)
            return
        plain = self.v.is_plain_primitive(child, code)
        for value, extra, item_expr in zip(values, extras, exprs, strict=True):
            if plain and extra is None and value is not None and not isinstance(value, list | dict):
                problem = self.v.primitives.problem(code, value)
                if problem:
                    self.report("error", "value", f"Value {_show(value)} {problem}", item_expr)
                continue
            self.item(value, extra, child, code, item_expr)

    def _single(self, parent, child: ElementNode, key: str, code: str, path: str, expr) -> None:
        """The common case: a non-repeating element, present once."""
        raw, extra = parent.get(key), parent.get("_" + key)
        if isinstance(raw, list) or isinstance(extra, list):
            name = key if isinstance(raw, list) else "_" + key
            where = f"{expr}.{name}"
            self.report("error", "structure", f"'{name}' must not be an array", where)
            return
        if child.max == 0:
            self._cardinality(child, 1, path)
        self.item(raw, extra, child, code, path)

    def _path(self, expr: str, child: ElementNode, choice_code: str | None) -> str:
        if child.is_choice:
            stem = child.name[:-3]
            return f"{expr}.{stem}.ofType({choice_code})" if choice_code else f"{expr}.{stem}"
        return f"{expr}.{child.name}"

    def _items(self, parent, key: str, child: ElementNode, expr: str) -> tuple[list, list] | None:
        raw, extra = parent.get(key), parent.get("_" + key)
        if child.repeats:
            values = self._as_list(raw, f"{expr}.{key}")
            extras = self._as_list(extra, f"{expr}._{key}")
            size = max(len(values), len(extras))
            values += [None] * (size - len(values))
            extras += [None] * (size - len(extras))
            return values, extras
        for name, item in ((key, raw), ("_" + key, extra)):
            if isinstance(item, list):
                self.report(
                    "error", "structure", f"'{name}' must not be an array", f"{expr}.{name}"
                )
                return None
        return [raw], [extra]

    def _as_list(self, value: Any, expr: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.report("error", "structure", "This element repeats and must be an array", expr)
            return [value]
        if not value:
            self.report("error", "structure", "Arrays must not be empty", expr)
        return list(value)

    def _cardinality(self, node: ElementNode, count: int, expr: str) -> None:
        if count < node.min:
            self.report(
                "error",
                "required",
                f"{node.path}: minimum required = {node.min}, but found {count}",
                expr,
            )
        if node.max is not None and count > node.max:
            self.report(
                "error",
                "structure",
                f"{node.path}: maximum allowed = {node.max}, but found {count}",
                expr,
            )

    def _must_support(self, node: ElementNode, expr: str) -> None:
        if node.must_support and self.v.report_must_support:
            self.report(
                "information", "informational", f"Must-support element {node.path} is absent", expr
            )

    # -- one item --------------------------------------------------------------------------

    def item(self, value: Any, extra: Any, node: ElementNode, code: str, expr: str) -> None:
        kind = self.v.kind_of(code)
        if kind is PRIMITIVE:
            if not self.primitive(value, extra, node, code, expr):
                return
        elif kind is RESOURCE:
            self.nested_resource(value, expr, contained=node.name == "contained", node=node)
            return
        elif not isinstance(value, dict):
            self.report("error", "structure", f"A {code} must be a JSON object", expr)
            return
        else:
            self.complex(value, node, code, expr)
            self.datatype_rules(value, node, code, expr)
        if value is not None and (node.fixed is not None or node.pattern is not None):
            self.fixed_and_pattern(value, node, expr)
        self.constraints(node, value if value is not None else extra, code, expr)

    def primitive(self, value: Any, extra: Any, node: ElementNode, code: str, expr: str) -> bool:
        """Checks one primitive; False when its value is unusable for further rules."""
        if extra is not None:
            if isinstance(extra, dict):
                self.complex(extra, self.v.type_root(code) or node, code, expr)
            else:
                self.report("error", "structure", "Primitive extensions must be an object", expr)
        if value is None:
            if extra is None:
                self.report("error", "structure", "null is not allowed here", expr)
            return extra is not None
        if code == "string" and node.path.endswith(".id") and node.path.count(".") == 1:
            if self.v.is_resource_type(node.path[:-3]) or node.path[:-3] in RESOURCE_BASES:
                code = "id"  # Resource.id is typed System.String in R4 but must be a valid id
        problem = self.v.primitives.problem(code, value)
        if problem:
            self.report("error", "value", f"Value {_show(value)} {problem}", expr)
            return False
        if code == "xhtml":
            for problem in narrative.problems(value):
                self.report("error", "value", f"Narrative {problem}", expr)
        elif code == "markdown" and narrative.markdown_has_html(value):
            message = "Markdown should not contain HTML tags; they are shown as text"
            self.report("warning", "value", message, expr)
        if node.max_length and isinstance(value, str) and len(value) > node.max_length:
            self.report("error", "value", f"Value is longer than {node.max_length}", expr)
        if node.min_value is not None or node.max_value is not None:
            outside = range_problem(code, value, node.min_value, node.max_value)
            if outside:
                self.report("error", "value", f"Value {_show(value)} {outside}", expr)
        if node.binding and code in ("code", "string", "uri"):
            check_binding(self.v.terminology, self.report, node.binding, None, value, expr)
        return True

    def datatype_rules(
        self, value: dict[str, Any], node: ElementNode, code: str, expr: str
    ) -> None:
        if code == "Coding":
            check_coding(self.v.terminology, self.report, value, expr)
        if node.binding and code in ("Coding", "CodeableConcept", "Quantity"):
            check_binding(self.v.terminology, self.report, node.binding, code, value, expr)
        if code == "Quantity" and (node.min_value is not None or node.max_value is not None):
            self._quantity_range(value, node, expr)
        if code == "Reference":
            check_reference(
                value,
                node,
                expr,
                scope=self.scope,
                definitions=self.v.definitions,
                report=self.report,
                conforms=self._target_conforms,
            )
        if code == "Extension":
            self.extension(value, node, expr)
        for type_ref in node.types:
            if type_ref.code == code and code != "Extension":
                for profile in type_ref.profiles:
                    self.v.conform_element(self, value, profile, code, expr)

    def _resource_conforms(self, resource: dict[str, Any], profile: str) -> bool | None:
        return self.v.target_conforms(resource, profile, resource, self.scope)

    def _target_conforms(
        self, target: dict[str, Any], profile: str, contained: bool
    ) -> bool | None:
        root = self.root if contained else target
        return self.v.target_conforms(target, profile, root, self.scope)

    def _quantity_range(self, value: dict[str, Any], node: ElementNode, expr: str) -> None:
        """minValueQuantity/maxValueQuantity, compared when both sides use the same unit code."""
        amount = value.get("value")
        if not isinstance(amount, int | float | Decimal) or isinstance(amount, bool):
            return
        for bound, is_low in ((node.min_value, True), (node.max_value, False)):
            if not isinstance(bound, dict) or not isinstance(bound.get("value"), int | float):
                continue
            same_unit = (bound.get("system"), bound.get("code")) == (
                value.get("system"),
                value.get("code"),
            )
            if not same_unit:
                continue  # other units need UCUM conversion, which is not held offline
            problem = range_problem(
                "decimal", amount, *((bound["value"], None) if is_low else (None, bound["value"]))
            )
            if problem:
                self.report("error", "value", f"Quantity {amount} {problem}", f"{expr}.value")

    def extension(self, value: dict[str, Any], node: ElementNode, expr: str) -> None:
        profiles = [p for t in node.types for p in t.profiles]
        url = value.get("url")
        # Inline (profile-defined) and relative-url extensions are defined by their parent.
        if not profiles and isinstance(url, str) and not node.children and ":" in url:
            definition = self.v.definitions.structure_definition(url)
            if definition is None:
                modifier = node.name == "modifierExtension"
                self.report(
                    "error" if modifier else "warning",
                    "extension",
                    f"Extension {url} is not known; its content cannot be checked",
                    expr,
                )
                return
            self._extension_context(definition, url, node, expr)
            profiles = [url]
        for profile in profiles:
            self.v.conform_element(self, value, profile, "Extension", expr)

    def _extension_context(self, definition: dict[str, Any], url: str, node, expr: str) -> None:
        holder_expr = expr.rsplit(".", 1)[0]
        relative = holder_expr[len(self.base_expr) :] if expr.startswith(self.base_expr) else ""
        kind = self.resource.get("resourceType", "")
        where = holder(kind, relative, node.path.rsplit(".", 1)[0], self.holder_type)
        problem = context_problem(definition, where)
        if problem:
            self.report("error", "structure", f"Extension {url} {problem}", expr)
            return
        for index, expression in enumerate(definition.get("contextInvariant") or []):
            self._context_invariant(url, index, expression, node, expr)

    def _context_invariant(self, url: str, index: int, expression: Any, node, expr: str) -> None:
        """A `contextInvariant` holds on the element that carries the extension."""
        if not isinstance(expression, str) or not isinstance(self.holder_value, dict):
            return
        rule = Constraint(f"context-{index + 1}", "error", expression, expression)
        extension = self._extension_value(node, expr)
        type_path = node.path.rsplit(".", 1)[0]
        why = self.v.invariants.failure(
            rule, self.holder_value, type_path, self.resource, self.root, {"extension": extension}
        )
        if why is None:
            return
        severity = "information" if why.startswith(OFFLINE) else "error"
        message = f"Extension {url}: its context invariant {expression!r} {why}"
        self.report(severity, "invariant", message, expr)

    def _extension_value(self, node: ElementNode, expr: str) -> Any:
        """The extension being checked, found on its holder by the index in `expr`."""
        name, _, index = expr.rsplit(".", 1)[-1].partition("[")
        items = self.holder_value.get(name) if isinstance(self.holder_value, dict) else None
        if isinstance(items, list) and index[:-1].isdigit() and int(index[:-1]) < len(items):
            return items[int(index[:-1])]
        return None

    def fixed_and_pattern(self, value: Any, node: ElementNode, expr: str) -> None:
        if node.fixed is not None and value != node.fixed:
            self.report(
                "error", "value", f"Value must be exactly {_show(node.fixed)} ({node.path})", expr
            )
        if node.pattern is not None and not slicing.matches_pattern(value, node.pattern):
            self.report(
                "error", "value", f"Value must match the pattern {_show(node.pattern)}", expr
            )

    def constraints(self, node: ElementNode, value: Any, code: str, expr: str) -> None:
        rules = self.v.rules_for(node, code)
        if not rules:
            return
        for rule, native in rules:
            if native is not None:
                if native(value, self.resource, self.root):
                    continue
                why = "is not satisfied"
            else:
                type_path = node.path if code in BACKBONE_TYPES else code
                why = self.v.invariants.failure(rule, value, type_path, self.resource, self.root)
                if why is None:
                    continue
            if rule.key == "dom-6" and self.resource is not self.root:
                continue  # a contained resource's narrative is its container's
            self._failed_constraint(rule, why, expr)

    def _failed_constraint(self, rule: Constraint, why: str, expr: str) -> None:
        message = f"Constraint {rule.key} {why}: {rule.human}"
        if why.startswith(OFFLINE):
            self.report("information", "informational", message, expr)
        else:
            severity = "error" if rule.severity == "error" else "warning"
            self.report(severity, "invariant", message, expr)

    # -- slicing ---------------------------------------------------------------------------

    def slices(self, values, extras, element: ElementNode, code: str, exprs, base: str) -> None:
        """Each item is checked against the slice it falls in (a slice refines the element)."""
        sliced = element.slicing or {}
        discriminators = slicing.discriminators_of(element, code)
        unsupported = slicing.unsupported_discriminators(
            {**sliced, "discriminator": discriminators}
        )
        if unsupported:
            message = f"Slicing of {element.path} by {', '.join(unsupported)} cannot be checked"
            self.report("warning", "not-supported", message, base)
        assigned = (
            [None] * len(values)
            if unsupported
            else slicing.assign(values, code, element, self.v.in_value_set, self._resource_conforms)
        )
        for index, slice_node in enumerate(element.slices if not unsupported else []):
            self._slice_cardinality(element, slice_node, assigned.count(index), base)
        last, seen_unmatched = -1, False
        for value, extra, slot, item_expr in zip(values, extras, assigned, exprs, strict=True):
            if slot is None:
                seen_unmatched = True
                if not unsupported:
                    self._unmatched(element, sliced, item_expr)
                self.item(value, extra, element, code, item_expr)
                continue
            self._slice_order(element, sliced, slot, last, seen_unmatched, item_expr)
            last = max(last, slot)
            self.item(value, extra, element.slices[slot], code, item_expr)

    def _slice_order(self, element, sliced, slot: int, last: int, unmatched: bool, expr) -> None:
        name = element.slices[slot].slice_name
        if sliced.get("ordered") and slot < last:
            message = f"Slice '{name}' of {element.path} is out of order (slicing is ordered)"
            self.report("error", "structure", message, expr)
        if sliced.get("rules") == "openAtEnd" and unmatched:
            message = f"Items not in a slice of {element.path} must come last (openAtEnd)"
            self.report("error", "structure", message, expr)

    def _slice_cardinality(self, element, slice_node: ElementNode, count: int, base: str) -> None:
        name = f"Slice '{slice_node.slice_name}' of {element.path}"
        if count < slice_node.min:
            self.report(
                "error",
                "required",
                f"{name}: minimum required = {slice_node.min}, found {count}",
                base,
            )
        if slice_node.max is not None and count > slice_node.max:
            self.report(
                "error",
                "structure",
                f"{name}: maximum allowed = {slice_node.max}, found {count}",
                base,
            )

    def _unmatched(self, element: ElementNode, sliced: dict[str, Any], expr: str) -> None:
        if sliced.get("rules") == "closed":
            discriminators = ", ".join(
                f"{d.get('type')}:{d.get('path')}" for d in sliced.get("discriminator", [])
            )
            self.report(
                "error",
                "structure",
                f"Item matches no slice of {element.path} (closed slicing by {discriminators})",
                expr,
            )


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 80 else text[:77] + "..."
