"""What an object's keys alone decide against a compiled element: worked out once per shape.

Mapped resources come in a few shapes (the same keys, different values), so the split of an
object's keys into elements of its type, unknown properties and absent watched children is kept
per (element, key set) and reused; values are still checked on every instance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapter.validation.model import ElementNode
from adapter.validation.primitives import is_primitive

# Bound the cache against input made of ever new or very large key sets: mapped data has a few
# hundred shapes of at most a few dozen keys; larger objects are planned without being kept.
MAX_SHAPES = 20_000
MAX_KEYS_KEPT = 64

JsonKey = tuple[str, str]  # (JSON name without "_", type code)
PLAIN, SINGLE, GENERAL = "plain", "single", "general"
# (element, type code) -> whether its only check is the JSON form of a primitive value
IsPlain = Callable[[ElementNode, str], bool]


@dataclass(frozen=True)
class ShapePlan:
    """The keys of one object against the children of the element that types it."""

    unknown: tuple[str, ...]  # properties that are no element here, in the object's order
    # each present child with the JSON names it appears under (first-seen order) and how it is
    # walked: PLAIN (a lone primitive checked by its form only), SINGLE (once, not repeating,
    # not sliced) or GENERAL
    present: tuple[tuple[ElementNode, tuple[JsonKey, ...], str], ...]
    absent: tuple[ElementNode, ...]  # children that matter when absent and are absent


def plan_shape(
    owner: ElementNode, keys: tuple[str, ...], is_resource: bool, is_plain: IsPlain
) -> ShapePlan:
    json_keys = owner.json_keys()
    unknown: list[str] = []
    present: dict[int, tuple[ElementNode, list[JsonKey]]] = {}
    for key in keys:
        underscore = key[:1] == "_"
        found = json_keys.get(key[1:] if underscore else key)
        if found is None or (underscore and not is_primitive(found[1])):
            if not (key == "resourceType" and is_resource):
                unknown.append(key)
            continue
        json_key = (key[1:] if underscore else key, found[1])
        keyed = present.setdefault(id(found[0]), (found[0], []))[1]
        if json_key not in keyed:
            keyed.append(json_key)
    absent = tuple(c for c in owner.watched_children() if id(c) not in present)
    walked = tuple(
        (child, tuple(found), _mode(child, found, keys, is_plain))
        for child, found in present.values()
    )
    return ShapePlan(tuple(unknown), walked, absent)


def _mode(child: ElementNode, found: list[JsonKey], keys: tuple[str, ...], is_plain) -> str:
    if len(found) != 1 or child.repeats or child.slices:
        return GENERAL
    name, code = found[0]
    if child.max != 0 and "_" + name not in keys and is_plain(child, code):
        return PLAIN
    return SINGLE


class ShapePlans:
    """ShapePlan per (element, is a resource, keys in order), computed on first sight."""

    def __init__(self) -> None:
        self._plans: dict[tuple[int, bool, tuple[str, ...]], ShapePlan] = {}
        self._owners: dict[int, ElementNode] = {}  # keeps each keyed element (and its id) alive

    def plan(
        self, owner: ElementNode, value: dict, is_resource: bool, is_plain: IsPlain
    ) -> ShapePlan:
        keys = tuple(value)
        if len(keys) > MAX_KEYS_KEPT:
            return plan_shape(owner, keys, is_resource, is_plain)
        cache_key = (id(owner), is_resource, keys)
        plan = self._plans.get(cache_key)
        if plan is None:
            if len(self._plans) >= MAX_SHAPES:
                self._plans.clear()
            plan = plan_shape(owner, keys, is_resource, is_plain)
            self._plans[cache_key] = plan
            self._owners[id(owner)] = owner
        return plan
