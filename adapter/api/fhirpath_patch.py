"""FHIRPath Patch (a `Parameters` body of `operation` parts) applied to a resource dict.

Paths are the simple FHIRPath forms the specification's examples use: `Type.a.b`, `name[n]`,
`.where(<expression>)`, `.first()` and `.last()`; `where` conditions are evaluated by
fhirpathpy. Anything else is refused with 400 rather than guessed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fhirpathpy
from fhirpathpy.models import models

from adapter.errors import InvalidRequest, Unprocessable

OPERATION_TYPES = ("add", "insert", "delete", "replace", "move")
_NAME = re.compile(r"^([a-zA-Z][A-Za-z0-9_]*)(?:\[(\d+)\])?$")
_WHERE = re.compile(r"^where\((.+)\)$", re.DOTALL)


@dataclass
class Location:
    """Where a value sits: `parent[name]`, or `parent[name][index]` for a repeating element."""

    parent: dict[str, Any]
    name: str
    index: int | None
    definition_path: str

    @property
    def value(self) -> Any:
        held = self.parent[self.name]
        return held if self.index is None else held[self.index]


def apply_fhirpath_patch(
    resource: dict[str, Any],
    parameters: dict[str, Any],
    repeats: Callable[[str], bool],
) -> dict[str, Any]:
    """A patched copy of `resource`; `repeats(path)` says whether an element is a list."""
    operations = [p for p in parameters.get("parameter") or [] if p.get("name") == "operation"]
    if not operations or len(operations) != len(parameters.get("parameter") or []):
        raise InvalidRequest(
            "A FHIRPath Patch is a Parameters resource of 'operation' parameters",
            expression="Parameters.parameter",
        )
    patched = copy.deepcopy(resource)
    for number, operation in enumerate(operations):
        where = f"Parameters.parameter[{number}]"
        parts = _parts(operation, where)
        kind = parts.get("type")
        if kind not in OPERATION_TYPES:
            raise InvalidRequest(
                f"Operation type must be one of {', '.join(OPERATION_TYPES)}, got {kind!r}",
                expression=f"{where}.part[type]",
            )
        _APPLY[kind](patched, parts, where, repeats)
    return patched


def _parts(operation: dict[str, Any], where: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in operation.get("part") or []:
        name = part.get("name")
        if name == "value":
            found["value"] = _value(part, f"{where}.part[value]")
        elif name in ("type", "path", "name"):
            found[name] = next((v for k, v in part.items() if k.startswith("value")), None)
        elif name in ("index", "source", "destination"):
            found[name] = part.get("valueInteger")
    if not isinstance(found.get("path"), str):
        raise InvalidRequest("Each operation needs a path", expression=f"{where}.part[path]")
    return found


def _value(part: dict[str, Any], where: str) -> Any:
    for key, value in part.items():
        if key.startswith("value") and key != "value":
            return value
    if part.get("part"):
        return {p["name"]: _value(p, where) for p in part["part"] if p.get("name")}
    raise InvalidRequest("The value part carries no value[x]", expression=where)


def _locate(resource: dict[str, Any], path: str, where: str) -> list[Location]:
    steps = _split_steps(path)
    if not steps or steps[0] != resource.get("resourceType"):
        raise InvalidRequest(
            f"The path must start with {resource.get('resourceType')}, got {path!r}",
            expression=f"{where}.part[path]",
        )
    found: list[Location] = []
    roots: list[Any] = [resource]
    definition = steps[0]
    for step in steps[1:]:
        name = _NAME.match(step)
        if name:
            key, index = name.group(1), name.group(2)
            definition = f"{definition}.{key}"
            found = [
                loc for node in roots if isinstance(node, dict) for loc in _children(node, key)
            ]
            for loc in found:
                loc.definition_path = definition
            if index is not None:
                found = found[int(index) : int(index) + 1]
        elif step == "first()":
            found = found[:1]
        elif step == "last()":
            found = found[-1:]
        elif match := _WHERE.match(step):
            found = [loc for loc in found if _holds(loc.value, match.group(1), where)]
        else:
            raise InvalidRequest(
                f"FHIRPath step {step!r} is not supported in a patch path",
                expression=f"{where}.part[path]",
            )
        roots = [loc.value for loc in found]
    return found


def _children(node: dict[str, Any], key: str) -> list[Location]:
    if key not in node:
        return []
    held = node[key]
    if isinstance(held, list):
        return [Location(node, key, i, "") for i in range(len(held))]
    return [Location(node, key, None, "")]


def _holds(value: Any, expression: str, where: str) -> bool:
    try:
        result = fhirpathpy.evaluate(value, expression, model=models["r4"])
    except Exception as exc:
        raise InvalidRequest(
            f"Cannot evaluate {expression!r}: {exc}", expression=f"{where}.part[path]"
        ) from None
    return result == [True]


def _split_steps(path: str) -> list[str]:
    steps, depth, start, quoted = [], 0, 0, False
    for i, char in enumerate(path):
        if char == "'":
            quoted = not quoted
        elif not quoted:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "." and depth == 0:
                steps.append(path[start:i].strip())
                start = i + 1
    steps.append(path[start:].strip())
    return steps


def _one(found: list[Location], path: str, where: str) -> Location:
    if len(found) != 1:
        raise Unprocessable(
            f"The path {path!r} must match exactly one element, it matches {len(found)}",
            expression=f"{where}.part[path]",
        )
    return found[0]


def _add(resource: dict[str, Any], parts: dict[str, Any], where: str, repeats: Any) -> None:
    name, value = parts.get("name"), _required(parts, "value", where)
    if not isinstance(name, str) or not name:
        raise InvalidRequest("An add operation needs a name", expression=f"{where}.part[name]")
    path = parts["path"]
    if path == resource.get("resourceType"):
        target, definition = resource, path
    else:
        loc = _one(_locate(resource, path, where), path, where)
        target, definition = loc.value, loc.definition_path
    if not isinstance(target, dict):
        raise Unprocessable(f"{path} is not an element that can hold {name}", expression=where)
    if isinstance(target.get(name), list):
        target[name].append(value)
    elif name in target:
        raise Unprocessable(f"{path}.{name} already has a value; use replace", expression=where)
    else:
        target[name] = [value] if repeats(f"{definition}.{name}") else value


def _insert(resource: dict[str, Any], parts: dict[str, Any], where: str, _repeats: Any) -> None:
    value, index = _required(parts, "value", where), _required(parts, "index", where)
    parent_path, _, name = parts["path"].rpartition(".")
    holder = resource if parent_path == resource.get("resourceType") else None
    if holder is None:
        holder = _one(_locate(resource, parent_path, where), parent_path, where).value
    items = holder.setdefault(name, []) if isinstance(holder, dict) else None
    if not isinstance(items, list) or not 0 <= index <= len(items):
        raise Unprocessable(f"Cannot insert at {parts['path']}[{index}]", expression=where)
    items.insert(index, value)


def _delete(resource: dict[str, Any], parts: dict[str, Any], where: str, _repeats: Any) -> None:
    found = _locate(resource, parts["path"], where)
    if not found:
        return  # deleting what is not there changes nothing
    loc = _one(found, parts["path"], where)
    if loc.index is None:
        del loc.parent[loc.name]
        return
    del loc.parent[loc.name][loc.index]
    if not loc.parent[loc.name]:
        del loc.parent[loc.name]


def _replace(resource: dict[str, Any], parts: dict[str, Any], where: str, _repeats: Any) -> None:
    value = _required(parts, "value", where)
    loc = _one(_locate(resource, parts["path"], where), parts["path"], where)
    if loc.index is None:
        loc.parent[loc.name] = value
    else:
        loc.parent[loc.name][loc.index] = value


def _move(resource: dict[str, Any], parts: dict[str, Any], where: str, _repeats: Any) -> None:
    source, destination = _required(parts, "source", where), _required(parts, "destination", where)
    found = _locate(resource, parts["path"], where)
    items = found[0].parent[found[0].name] if found and found[0].index is not None else None
    if items is None or not (0 <= source < len(items) and 0 <= destination < len(items)):
        raise Unprocessable(f"Cannot move {parts['path']}[{source}]", expression=where)
    items.insert(destination, items.pop(source))


def _required(parts: dict[str, Any], name: str, where: str) -> Any:
    if parts.get(name) is None:
        raise InvalidRequest(
            f"This operation needs a {name} part", expression=f"{where}.part[{name}]"
        )
    return parts[name]


_APPLY: dict[str, Callable[[dict[str, Any], dict[str, Any], str, Any], None]] = {
    "add": _add,
    "insert": _insert,
    "delete": _delete,
    "replace": _replace,
    "move": _move,
}
