"""Where an extension may be used: its StructureDefinition's `context`, against the element
that holds it.

The holder is described by its element path (`Observation.component`, from the resource type
down, indexes and `ofType()` dropped) and by its type (`CodeableConcept`, `Patient`, ...). Context
kinds that cannot be decided offline (`fhirpath`) and the generic types that every element or
resource has (`Element`, `Resource`, ...) allow the use, so that a doubt never becomes an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

GENERIC_TYPES = frozenset({"Element", "BackboneElement", "Resource", "DomainResource", "Base"})
_INDEX = re.compile(r"\[\d+\]")
_OF_TYPE = re.compile(r"\.ofType\([A-Za-z]+\)")


@dataclass(frozen=True)
class Holder:
    """The element an extension sits on."""

    paths: frozenset[str]
    types: frozenset[str]
    is_extension: bool


def element_path(resource_type: str, relative_expr: str) -> str:
    """`Observation` + `.component[1].code` -> `Observation.component.code`."""
    return resource_type + _OF_TYPE.sub("", _INDEX.sub("", relative_expr))


def holder(resource_type: str, relative_expr: str, model_path: str, type_code: str) -> Holder:
    """The holder of an extension from the walker's view of it.

    `relative_expr` is the holder's expression below its resource; `model_path` is the path of
    the holder in the model being walked (`Patient.contact`, or a datatype name such as
    `CodeableConcept` when the walk is inside a datatype); `type_code` is the holder's type.
    """
    by_expr = element_path(resource_type, relative_expr)
    first = model_path.split(".", 1)[0]
    types = {first} if "." not in model_path else set()
    types.add(type_code)
    if not relative_expr:
        types.add(resource_type)
    is_extension = first == "Extension" or type_code == "Extension"
    return Holder(frozenset({by_expr, model_path}), frozenset(types), is_extension)


def _allows(context: dict[str, Any], where: Holder) -> bool:
    kind, expression = context.get("type"), context.get("expression")
    if not isinstance(expression, str):
        return True
    if kind == "extension":
        return where.is_extension
    if kind != "element":
        return True  # fhirpath contexts are not decided offline
    expression = expression.split("#", 1)[-1].replace("[x]", "")
    if expression in GENERIC_TYPES or expression in where.types:
        return True
    return expression in where.paths


def context_problem(definition: dict[str, Any], where: Holder) -> str | None:
    """Why the extension may not be used on this holder, or None when it may."""
    contexts = definition.get("context")
    if not isinstance(contexts, list) or not contexts:
        return None
    if any(not isinstance(c, dict) or _allows(c, where) for c in contexts):
        return None
    allowed = ", ".join(str(c.get("expression")) for c in contexts)
    here = " / ".join(sorted(where.paths | where.types))
    return f"is not allowed on {here}; its context allows: {allowed}"
