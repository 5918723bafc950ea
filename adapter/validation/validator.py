"""The validator: a resource or Bundle against base R4 and its profiles, every issue collected."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from adapter.config import PROFILES_DIR, Settings
from adapter.outcome import Issue
from adapter.validation.bundle import bundle_references, check_bundle
from adapter.validation.definitions import (
    FHIR_BASE,
    Definitions,
    canonical_key,
    load_base_r4,
    load_directory,
)
from adapter.validation.input import MalformedInput, checked_copy
from adapter.validation.instance import (
    BACKBONE_TYPES,
    COMPLEX,
    PRIMITIVE,
    RESOURCE,
    InstanceWalker,
)
from adapter.validation.invariants import InvariantEngine, native_check
from adapter.validation.model import Constraint, ElementNode, StructureModel, compile_structure
from adapter.validation.primitives import PrimitiveRules, is_primitive
from adapter.validation.scope import EvaluationScope, UnsupportedCheck
from adapter.validation.shapes import ShapePlan, ShapePlans
from adapter.validation.snapshot import SnapshotError, generate_snapshot
from adapter.validation.terminology import Terminology


class Validator:
    """Validates against any loaded StructureDefinitions; compiled models are cached per URL."""

    def __init__(
        self,
        definitions: Definitions,
        *,
        report_must_support: bool = False,
        max_depth: int = Settings.max_json_depth,
        max_array_length: int = Settings.max_array_length,
    ) -> None:
        self.definitions = definitions
        self.report_must_support = report_must_support
        self.max_depth = max_depth
        self.max_array_length = max_array_length
        self.primitives = PrimitiveRules(definitions)
        self.terminology = Terminology(definitions)
        self.invariants = InvariantEngine()
        self._models: dict[str, StructureModel | str] = {}
        self._rules: dict[tuple[int, str], tuple[tuple[Constraint, Any], ...]] = {}
        self._resource_types: dict[str, bool] = {}
        self._shapes = ShapePlans()
        self._kinds: dict[str, str] = {}
        self._plain: dict[tuple[int, str], bool] = {}
        self._type_roots: dict[str, ElementNode | None] = {}

    # -- public API ------------------------------------------------------------------------

    def validate(self, resource: Any, profiles: Sequence[str] | None = ()) -> list[Issue]:
        """Every issue of `resource` against base R4, its meta.profile and `profiles`."""
        try:
            copy = checked_copy(resource, self.max_depth, self.max_array_length)
        except MalformedInput as problem:
            return [Issue("error", "structure", problem.message, (problem.expression,))]
        issues: list[Issue] = []
        if not isinstance(copy, dict):
            return [Issue("error", "structure", "A resource must be a JSON object", ("Resource",))]
        kind = copy.get("resourceType")
        if not isinstance(kind, str) or not self.is_resource_type(kind):
            message = f"Unknown or missing resourceType {kind!r}"
            return [Issue("error", "structure", message, ("Resource.resourceType",))]
        scope = self._scope(copy, EvaluationScope())
        self._validate_resource(copy, copy, kind, issues, scope, list(profiles or ()))
        return _unique(issues)

    # -- models ----------------------------------------------------------------------------

    def model(self, url: str) -> StructureModel | str:
        """The compiled model of a StructureDefinition, or why there is none."""
        if url not in self._models:
            self._models[url] = self._compile(url)
        return self._models[url]

    def _compile(self, url: str) -> StructureModel | str:
        sd = self.definitions.structure_definition(url)
        if sd is None:
            return f"Profile {canonical_key(url)} is not known to this validator"
        if "|" in url and sd.get("version") != url.split("|", 1)[1]:
            return f"Profile {url} is not known in that version (loaded: {sd.get('version')})"
        try:
            if "snapshot" not in sd:
                sd = generate_snapshot(sd, self.definitions)
            return compile_structure(sd)
        except (SnapshotError, ValueError, KeyError, TypeError) as exc:
            return f"Profile {url} cannot be used: {exc}"

    def type_root(self, code: str) -> ElementNode | None:
        if code in self._type_roots:
            return self._type_roots[code]
        model = self.model(FHIR_BASE + code) if code else None
        root = model.root if isinstance(model, StructureModel) else None
        self._type_roots[code] = root
        return root

    def rules_for(self, node: ElementNode, code: str) -> tuple[tuple[Constraint, Any], ...]:
        """The element's and its datatype's constraints (minus trivially true ones), each with
        its native check when it has one."""
        key = (id(node), code)
        found = self._rules.get(key)
        if found is None:
            type_root = None if code in BACKBONE_TYPES else self.type_root(code)
            rules = list(node.constraints)
            if type_root is not None and type_root is not node:
                keys = {c.key for c in rules}
                rules += [c for c in type_root.constraints if c.key not in keys]
            if is_primitive(code):
                # a present primitive always has a value or an extension (checked as structure)
                rules = [r for r in rules if r.key != "ele-1"]
            found = self._rules[key] = tuple((r, native_check(r)) for r in rules)
        return found

    def kind_of(self, code: str) -> str:
        """PRIMITIVE, RESOURCE or COMPLEX: how an item of type `code` is walked."""
        kind = self._kinds.get(code)
        if kind is None:
            if is_primitive(code):
                kind = PRIMITIVE
            elif code in ("Resource", "DomainResource") or self.is_resource_type(code):
                kind = RESOURCE
            else:
                kind = COMPLEX
            self._kinds[code] = kind
        return kind

    def is_plain_primitive(self, node: ElementNode, code: str) -> bool:
        """A primitive element whose only check is its value's JSON form and regex: no binding,
        length, range, fixed value, pattern or constraint; not narrative, markdown or a string
        directly on a resource (`Resource.id` is checked as an id)."""
        key = (id(node), code)
        plain = self._plain.get(key)
        if plain is None:
            plain = self._plain[key] = (
                self.kind_of(code) is PRIMITIVE
                and code not in ("xhtml", "markdown")
                and not (code == "string" and node.path.endswith(".id"))  # maybe Resource.id
                and not (node.binding and code in ("code", "string", "uri"))
                and not node.max_length
                and node.min_value is None
                and node.max_value is None
                and node.fixed is None
                and node.pattern is None
                and not self.rules_for(node, code)
            )
        return plain

    def shape_plan(self, owner: ElementNode, value: dict[str, Any], is_resource: bool) -> ShapePlan:
        """How the keys of `value` fall on the children of `owner` (cached per key set)."""
        return self._shapes.plan(owner, value, is_resource, self.is_plain_primitive)

    def is_resource_type(self, code: str) -> bool:
        """A concrete resource type (not a profile, not Resource or DomainResource)."""
        if code not in self._resource_types:
            sd = self.definitions.structure_definition(code)
            self._resource_types[code] = (
                bool(sd)
                and sd.get("kind") == "resource"
                and sd.get("derivation") != "constraint"
                and not sd.get("abstract")
            )
        return self._resource_types[code]

    # -- walking ---------------------------------------------------------------------------

    def _scope(self, resource: dict[str, Any], parent: EvaluationScope) -> EvaluationScope:
        references = dict(parent.references)
        for item in (
            resource.get("contained", []) if isinstance(resource.get("contained"), list) else []
        ):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                references["#" + item["id"]] = item
        full_urls = parent.bundle_full_urls
        if resource.get("resourceType") == "Bundle":
            bundle_refs = bundle_references(resource)
            references.update(bundle_refs)
            full_urls = {u for u in bundle_refs if "/" not in u or ":" in u}
        scope = EvaluationScope(references, full_urls, self._member_of, self._conforms_to)
        scope.verdicts = parent.verdicts  # targets already checked in this validation
        return scope

    def _validate_resource(
        self,
        resource: dict[str, Any],
        root: dict[str, Any],
        expr: str,
        issues: list[Issue],
        scope: EvaluationScope,
        extra_profiles: list[str],
    ) -> None:
        kind = resource["resourceType"]
        walker = InstanceWalker(self, issues, resource, root, scope)
        profiles = self._profile_models(resource, kind, expr, extra_profiles, issues)
        for model in profiles or [self.model(FHIR_BASE + kind)]:
            if isinstance(model, StructureModel):
                before = len(issues)
                walker.walk_resource(model, expr)
                # A Bundle entry walked against a profile answers, for free, whether it
                # conforms as a reference target elsewhere in the same Bundle.
                key = (id(resource), model.url)
                if key not in scope.verdicts:
                    scope.verdicts[key] = not any(i.is_error for i in issues[before:])
        if kind == "Bundle":
            check_bundle(walker.report, resource, expr)

    def _profile_models(self, resource, kind, expr, extra, issues) -> list[StructureModel]:
        meta = resource.get("meta")
        declared = meta.get("profile") if isinstance(meta, dict) else None
        declared = declared if isinstance(declared, list) else []
        wanted = [(u, f"{expr}.meta.profile[{i}]", True) for i, u in enumerate(declared)]
        wanted += [(u, expr, False) for u in extra]
        models: list[StructureModel] = []
        for url, where, is_declared in wanted:
            if not isinstance(url, str):
                continue
            model = self.model(url)
            if isinstance(model, str) and is_declared:
                # as the reference validator does: say so, and check against the base type
                message = f"{model}; checked against the base {kind} definition only"
                issues.append(Issue("warning", "not-found", message, (where,)))
            elif isinstance(model, str):
                issues.append(Issue("error", "not-found", model, (where,)))
            elif model.type != kind:
                message = f"Profile {url} is for {model.type}, not {kind}"
                issues.append(Issue("error", "invalid", message, (where,)))
            else:
                models.append(model)
        return models

    def validate_nested(
        self,
        value: dict[str, Any],
        expr: str,
        issues: list[Issue],
        root: dict[str, Any],
        scope: EvaluationScope,
        profiles: list[str] | None = None,
    ) -> None:
        """A contained resource or Bundle entry, against its base type, its meta.profile and
        the profiles its element gives it."""
        kind = value.get("resourceType")
        if not isinstance(kind, str) or not self.is_resource_type(kind):
            message = f"Unknown or missing resourceType {kind!r}"
            issues.append(Issue("error", "structure", message, (f"{expr}.resourceType",)))
            return
        scoped = self._scope(value, scope)
        self._validate_resource(value, root, expr, issues, scoped, list(profiles or ()))

    def target_conforms(
        self, target: dict[str, Any], profile: str, root: dict[str, Any], scope: EvaluationScope
    ) -> bool | None:
        """Whether a locally held reference target conforms to a profile; None if unknown."""
        model = self.model(profile)
        if isinstance(model, str) or not isinstance(target.get("resourceType"), str):
            return None
        if model.type != target["resourceType"]:
            return False
        key = (id(target), model.url)
        if key not in scope.verdicts:
            scope.verdicts[key] = True  # a reference cycle conforms until shown otherwise
            issues: list[Issue] = []
            walker = InstanceWalker(self, issues, target, root, self._scope(target, scope))
            walker.walk_resource(model, target["resourceType"])
            scope.verdicts[key] = not any(issue.is_error for issue in issues)
        return scope.verdicts[key]

    def conform_element(self, walker: InstanceWalker, value: Any, url: str, code: str, expr: str):
        """An element (extension or datatype) against the profile its type names."""
        model = self.model(url)
        if isinstance(model, str):
            walker.report("warning", "not-found", f"{model}; its rules are not checked", expr)
            return
        walker.complex(value, model.root, code, expr)
        walker.constraints(model.root, value, code, expr)

    # -- FHIRPath callbacks ----------------------------------------------------------------

    def _member_of(self, value: Any, value_set: str) -> bool:
        pairs = _code_pairs(value)
        results = {self.terminology.check(value_set, s, c).status for s, c in pairs}
        if "in_set" in results:
            return True
        if "offline" in results or "unknown_vs" in results:
            raise UnsupportedCheck(f"memberOf('{value_set}') needs terminology not held offline")
        return False

    def in_value_set(self, value: Any, value_set: str) -> bool:
        """Whether a code, Coding or CodeableConcept has a code known to be in the value set."""
        return any(
            self.terminology.check(value_set, s, c).status == "in_set"
            for s, c in _code_pairs(value)
        )

    def _conforms_to(self, value: Any, profile: str) -> bool:
        return not any(i.is_error for i in self.validate(value, [profile]))


def _code_pairs(value: Any) -> list[tuple[str | None, str]]:
    if isinstance(value, str):
        return [(None, value)]
    if not isinstance(value, dict):
        return []
    codings = value.get("coding") if "coding" in value else [value]
    return [
        (c.get("system"), c["code"])
        for c in codings or []
        if isinstance(c, dict) and isinstance(c.get("code"), str)
    ]


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


@functools.lru_cache(maxsize=1)
def default_validator() -> Validator:
    """Base R4 plus every conformance resource in `profiles/`; built once per process."""
    definitions = load_base_r4()
    load_directory(definitions, PROFILES_DIR)
    return Validator(definitions)
