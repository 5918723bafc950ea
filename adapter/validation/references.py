"""Reference checks: target resource types, contained (`#id`) and Bundle (`urn:uuid:`) targets."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from adapter.validation.model import ElementNode

if TYPE_CHECKING:
    from adapter.validation.instance import InstanceWalker

LITERAL = re.compile(
    r"(?:^|/)([A-Z][A-Za-z]+)/[A-Za-z0-9\-.]{1,64}(?:/_history/[A-Za-z0-9\-.]{1,64})?$"
)


def _target_type(walker: InstanceWalker, reference: str) -> str | None:
    target = walker.scope.references.get(reference)
    if isinstance(target, dict):
        kind = target.get("resourceType")
        return kind if isinstance(kind, str) else None
    match = LITERAL.search(reference)
    return match.group(1) if match else None


def _allowed_types(walker: InstanceWalker, node: ElementNode) -> set[str]:
    allowed: set[str] = set()
    for type_ref in node.types:
        if type_ref.code != "Reference":
            continue
        for profile in type_ref.target_profiles:
            sd = walker.v.definitions.structure_definition(profile)
            allowed.add(sd["type"] if sd else profile.rsplit("/", 1)[-1])
    return allowed


def check_reference(
    walker: InstanceWalker, value: dict[str, Any], node: ElementNode, expr: str
) -> None:
    reference = value.get("reference")
    if not isinstance(reference, str):
        return
    where = f"{expr}.reference"
    # `#id` targets are checked by the R4 invariant ref-1 on every Reference.
    if reference.startswith(("urn:uuid:", "urn:oid:")):
        if walker.scope.bundle_full_urls is not None and reference not in walker.scope.references:
            walker.report(
                "error",
                "not-found",
                f"{reference} does not resolve to the fullUrl of any entry in this Bundle",
                where,
            )
            return
    allowed = _allowed_types(walker, node)
    if not allowed or "Resource" in allowed:
        return
    kind = _target_type(walker, reference) or value.get("type")
    if isinstance(kind, str) and kind not in allowed:
        walker.report(
            "error",
            "structure",
            f"Reference to a {kind} is not allowed here; expected {' or '.join(sorted(allowed))}",
            where,
        )
