"""A StructureDefinition snapshot compiled once into a tree of element nodes keyed by JSON name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
SYSTEM_TYPES = {
    "http://hl7.org/fhirpath/System.String": "string",
    "http://hl7.org/fhirpath/System.Boolean": "boolean",
    "http://hl7.org/fhirpath/System.Integer": "integer",
    "http://hl7.org/fhirpath/System.Decimal": "decimal",
    "http://hl7.org/fhirpath/System.Date": "date",
    "http://hl7.org/fhirpath/System.DateTime": "dateTime",
    "http://hl7.org/fhirpath/System.Time": "time",
}


@dataclass(frozen=True)
class TypeRef:
    """One allowed type of an element, with the profiles it must also conform to."""

    code: str
    profiles: tuple[str, ...] = ()
    target_profiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Constraint:
    key: str
    severity: str
    human: str
    expression: str


@dataclass
class ElementNode:
    """One ElementDefinition with its children and slices, ready for instance walking."""

    id: str
    path: str
    name: str
    min: int
    max: int | None
    repeats: bool
    types: tuple[TypeRef, ...]
    fixed: Any = None
    pattern: Any = None
    binding: tuple[str, str] | None = None
    constraints: tuple[Constraint, ...] = ()
    must_support: bool = False
    max_length: int | None = None
    min_value: Any = None
    max_value: Any = None
    content_reference: str | None = None
    slice_name: str | None = None
    slicing: dict[str, Any] | None = None
    children: list[ElementNode] = field(default_factory=list)
    slices: list[ElementNode] = field(default_factory=list)
    _keys: dict[str, tuple[ElementNode, str]] | None = None
    target_types: dict[str, str] | None = None  # targetProfile -> resource type, once known
    _watched: tuple[ElementNode, ...] | None = None

    def __post_init__(self) -> None:
        self.is_choice = self.name.endswith("[x]")

    def watched_children(self) -> tuple[ElementNode, ...]:
        """Children that matter even when absent: required, must-support or sliced."""
        if self._watched is None:
            self._watched = tuple(
                c for c in self.children if c.min > 0 or c.must_support or c.slices
            )
        return self._watched

    def json_keys(self) -> dict[str, tuple[ElementNode, str]]:
        """JSON property -> (child node, type code), e.g. `valueString` -> (value[x], string)."""
        if self._keys is None:
            keys: dict[str, tuple[ElementNode, str]] = {}
            for child in self.children:
                if child.is_choice:
                    stem = child.name[:-3]
                    for t in child.types:
                        keys[stem + t.code[0].upper() + t.code[1:]] = (child, t.code)
                else:
                    keys[child.name] = (child, child.types[0].code if child.types else "")
            self._keys = keys
        return self._keys


@dataclass
class StructureModel:
    """A compiled StructureDefinition: its root node and a lookup of every node by element id."""

    url: str
    type: str
    kind: str
    root: ElementNode
    by_id: dict[str, ElementNode]


def type_code(type_entry: dict[str, Any]) -> str:
    code = type_entry.get("code", "")
    if code.startswith("http://hl7.org/fhirpath/"):
        for ext in type_entry.get("extension", []):
            if ext.get("url") == FHIR_TYPE_EXT:
                return ext.get("valueUrl") or ext.get("valueUri") or SYSTEM_TYPES.get(code, code)
        return SYSTEM_TYPES.get(code, code)
    return code


def prefixed_value(element: dict[str, Any], prefix: str) -> Any:
    for key, value in element.items():
        if key.startswith(prefix) and len(key) > len(prefix) and key[len(prefix)].isupper():
            return value
    return None


def _max(value: str | None) -> int | None:
    if value in (None, "*"):
        return None
    return int(value)


def _node(element: dict[str, Any]) -> ElementNode:
    path = element["path"]
    base_max = element.get("base", {}).get("max", element.get("max", "1"))
    binding = element.get("binding")
    return ElementNode(
        id=element.get("id") or path,
        path=path,
        name=path.rsplit(".", 1)[-1],
        min=int(element.get("min", 0)),
        max=_max(element.get("max")),
        repeats=base_max != "1",
        types=tuple(
            TypeRef(type_code(t), tuple(t.get("profile", [])), tuple(t.get("targetProfile", [])))
            for t in element.get("type", [])
        ),
        fixed=prefixed_value(element, "fixed"),
        pattern=prefixed_value(element, "pattern"),
        binding=(binding["strength"], binding["valueSet"].split("|")[0])
        if binding and binding.get("valueSet")
        else None,
        constraints=tuple(
            Constraint(c["key"], c.get("severity", "error"), c.get("human", ""), c["expression"])
            for c in element.get("constraint", [])
            if c.get("expression")
        ),
        must_support=bool(element.get("mustSupport")),
        max_length=element.get("maxLength"),
        min_value=prefixed_value(element, "minValue"),
        max_value=prefixed_value(element, "maxValue"),
        content_reference=element.get("contentReference"),
        slice_name=element.get("sliceName"),
        slicing=element.get("slicing"),
    )


def _parent_id(element_id: str) -> str:
    """`Task.input:choice.type` -> `Task.input:choice`; `Task.input:choice` -> `Task.input`."""
    head, _, last = element_id.rpartition(".")
    if ":" in last:
        return element_id.rsplit(":", 1)[0]
    return head


def _link_content_references(by_id: dict[str, ElementNode]) -> None:
    """`Questionnaire.item.item` reuses the definition of `Questionnaire.item`."""
    for node in by_id.values():
        if node.content_reference and not node.children:
            target = by_id.get(node.content_reference.split("#", 1)[-1])
            if target is not None:
                node.children, node.types = target.children, target.types


def compile_structure(sd: dict[str, Any]) -> StructureModel:
    """Build the node tree from `sd.snapshot`; elements are linked by their ids."""
    elements = sd["snapshot"]["element"]
    by_id: dict[str, ElementNode] = {}
    root: ElementNode | None = None
    for element in elements:
        node = _node(element)
        by_id[node.id] = node
        if root is None:
            root = node
            continue
        parent = by_id.get(_parent_id(node.id))
        if parent is None:
            continue
        if node.slice_name and node.id.endswith(":" + node.slice_name):
            parent.slices.append(node)
        else:
            parent.children.append(node)
    if root is None:
        raise ValueError(f"StructureDefinition {sd.get('url')} has an empty snapshot")
    _link_content_references(by_id)
    return StructureModel(sd.get("url", ""), sd.get("type", ""), sd.get("kind", ""), root, by_id)
