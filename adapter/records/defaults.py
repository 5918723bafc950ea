"""Fill absent optional fields (lists with [], the rest with null) so every form reads alike."""

from __future__ import annotations

from typing import Any

from adapter.records.schema import schema_document

# An object's fields: name -> (default, the object node of the value or of its items, if any).
Shape = dict[str, tuple[Any, dict[str, Any] | None]]

_SHAPES: dict[int, Shape] = {}


def with_defaults(instance: Any, definition: str) -> Any:
    """`instance` (already schema-valid) with every absent optional field filled in, in place."""
    _fill(instance, _resolve(schema_document()["$defs"][definition]))
    return instance


def _fill(instance: Any, node: dict[str, Any]) -> None:
    if not isinstance(instance, dict):
        return
    for name, (default, inner) in _shape(node).items():
        if name not in instance:
            # A fresh list each time: records are edited downstream.
            instance[name] = [] if default == [] else default
        elif inner is None:
            continue
        elif isinstance(instance[name], list):
            for item in instance[name] or ():
                _fill(item, inner)
        else:
            _fill(instance[name], inner)


def _shape(node: dict[str, Any]) -> Shape:
    shape = _SHAPES.get(id(node))
    if shape is None:
        shape = {name: _kind(_resolve(sub)) for name, sub in node["properties"].items()}
        _SHAPES[id(node)] = shape
    return shape


def _kind(node: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    if node.get("type") == "array":
        return [], _object_node(_resolve(node.get("items", {})))
    return node.get("default"), _object_node(node)


def _object_node(node: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema behind a field, looking through "shape or null" alternatives."""
    if "properties" in node:
        return node
    for branch in node.get("anyOf", []):
        found = _resolve(branch)
        if "properties" in found:
            return found
    return None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema_document()["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node
