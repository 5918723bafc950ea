"""Assigns repeating items to the slices of a sliced element by value, pattern or exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapter.validation.model import ElementNode

# (value, value set URL) -> whether a code of the value is in the value set
InValueSet = Callable[[Any, str], bool]
# (resource, profile URL) -> whether it conforms; None when that cannot be told
Conforms = Callable[[dict[str, Any], str], bool | None]
RESOURCE_PATHS = ("resource",)  # where a profile discriminator names a resource's profile

SUPPORTED = frozenset({"value", "pattern", "exists", "type", "profile"})


def matches_pattern(value: Any, pattern: Any) -> bool:
    """FHIR pattern semantics: every property of the pattern appears in the value."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            matches_pattern(value.get(k), v) for k, v in pattern.items()
        )
    if isinstance(pattern, list):
        items = value if isinstance(value, list) else []
        return all(any(matches_pattern(i, p) for i in items) for p in pattern)
    return value == pattern and type(value) is type(pattern)


def _child(node: ElementNode, segment: str) -> ElementNode | None:
    for child in node.children:
        if child.name in (segment, segment + "[x]"):
            return child
    return None


def _navigate(value: Any, segments: list[str]) -> list[Any]:
    current = value if isinstance(value, list) else [value]
    for segment in segments:
        step: list[Any] = []
        for item in current:
            if not isinstance(item, dict):
                continue
            for key, found in item.items():
                if key == segment or (
                    key.startswith(segment) and key[len(segment) :][:1].isupper()
                ):
                    step.extend(found if isinstance(found, list) else [found])
        current = step
    return current


def expected_values(node: ElementNode, segments: list[str]) -> list[Any]:
    """The fixed or pattern values a slice holds at a discriminator path; empty when none.

    Where the path runs through an element that is itself sliced (`code.coding.code` with
    `coding` sliced), the values its slices hold count: the item matches on any of them.
    """
    held = node.fixed if node.fixed is not None else node.pattern
    if held is not None:
        return _navigate(held, segments) if segments else [held]
    if not segments:
        return []
    if segments == ["url"] and node.types and node.types[0].profiles:
        return [node.types[0].profiles[0]]
    child = _child(node, segments[0])
    if child is None:
        return []
    found = expected_values(child, segments[1:])
    if not found:
        for slice_node in child.slices:
            found += expected_values(slice_node, segments[1:])
    return found


def _binding_at(slice_node: ElementNode, segments: list[str]) -> str | None:
    """The value set a slice requires at a discriminator path, when it holds no value there."""
    node: ElementNode | None = slice_node
    for segment in segments:
        node = _child(node, segment) if node else None
    if node is None or node.binding is None or node.binding[0] != "required":
        return None
    return node.binding[1]


def _exists_expected(slice_node: ElementNode, path: str) -> bool | None:
    node: ElementNode | None = slice_node
    for segment in path.split("."):
        node = _child(node, segment) if node else None
    if node is None:
        return None
    return node.min > 0 if node.max != 0 else False


def slice_matches(
    item: Any,
    code: str,
    slice_node: ElementNode,
    discriminators: list[dict[str, Any]],
    in_value_set: InValueSet | None = None,
    conforms: Conforms | None = None,
) -> bool:
    """Whether an item (of type `code`) falls in a slice under every discriminator.

    A value or pattern discriminator whose slice holds no value at the path but a required
    binding matches the items with a code in that value set.
    """
    for disc in discriminators:
        path = disc.get("path", "$this")
        segments = [] if path == "$this" else path.split(".")
        if disc.get("type") == "type":
            if not _type_matches(item, code, slice_node, segments):
                return False
            continue
        if disc.get("type") == "profile":
            if not _profile_matches(item, slice_node, segments, conforms):
                return False
            continue
        if disc.get("type") == "exists":
            expected = _exists_expected(slice_node, path)
            if expected is not None and bool(_navigate(item, segments)) != expected:
                return False
            continue
        expected = expected_values(slice_node, segments)
        candidates = _navigate(item, segments) if segments else [item]
        if not expected:
            value_set = _binding_at(slice_node, segments)
            if value_set is None or in_value_set is None:
                return False
            if not any(in_value_set(c, value_set) for c in candidates):
                return False
            continue
        if not any(matches_pattern(c, e) for c in candidates for e in expected):
            return False
    return True


def _node_at(slice_node: ElementNode, segments: list[str]) -> ElementNode | None:
    node: ElementNode | None = slice_node
    for segment in segments:
        node = _child(node, segment) if node else None
    return node


def _type_of(value: Any, code: str) -> str:
    kind = value.get("resourceType") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else code


def _type_matches(item: Any, code: str, slice_node: ElementNode, segments: list[str]) -> bool:
    """The item's type (a resource's resourceType) at the path is one the slice allows."""
    if not segments:
        return code in {t.code for t in slice_node.types}
    node = _node_at(slice_node, segments)
    if node is None:
        return False
    allowed = {t.code for t in node.types}
    values = _navigate(item, segments)
    if not values:
        return False
    if not allowed or allowed & {"Resource", "DomainResource"}:
        return True
    return all(_type_of(v, "") in allowed for v in values)


def _profile_matches(
    item: Any, slice_node: ElementNode, segments: list[str], conforms: Conforms | None
) -> bool:
    """The resource at the path conforms to one of the profiles the slice gives its type."""
    node = _node_at(slice_node, segments)
    profiles = [p for t in node.types for p in t.profiles] if node else []
    values = _navigate(item, segments)
    if not profiles or not values or conforms is None:
        return False
    for value in values:
        if not isinstance(value, dict):
            return False
        verdicts = [conforms(value, profile) for profile in profiles]
        if not any(v is None or v for v in verdicts):
            return False
    return True


def discriminators_of(element: ElementNode, code: str) -> list[dict[str, Any]]:
    """The element's discriminators; extensions without any are told apart by url."""
    found = (element.slicing or {}).get("discriminator") or []
    if not found and code == "Extension":
        return [{"type": "value", "path": "url"}]
    return found


def unsupported_discriminators(slicing: dict[str, Any]) -> list[str]:
    if not slicing.get("discriminator"):
        return ["(no discriminator)"]
    return [
        f"{d.get('type')}:{d.get('path')}"
        for d in slicing.get("discriminator", [])
        if d.get("type") not in SUPPORTED
        or "resolve()" in str(d.get("path"))
        or (d.get("type") == "profile" and d.get("path") not in RESOURCE_PATHS)
    ]


def assign(
    items: list[Any],
    code: str,
    element: ElementNode,
    in_value_set: InValueSet | None = None,
    conforms: Conforms | None = None,
) -> list[int | None]:
    """The index in `element.slices` of the first slice each item matches, or None."""
    discriminators = discriminators_of(element, code)
    assigned: list[int | None] = []
    for item in items:
        match = None
        for index, slice_node in enumerate(element.slices):
            if slice_matches(item, code, slice_node, discriminators, in_value_set, conforms):
                match = index
                break
        assigned.append(match)
    return assigned
