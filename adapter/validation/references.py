"""Reference checks: allowed target types, and targetProfile for targets held locally.

A target is held locally when it is contained (`#id`) or an entry of the enclosing Bundle (by
fullUrl, `urn:uuid:` or `Type/id`); such a target must conform to one of the element's
`targetProfile`s, as the reference validator requires. Other targets are only checked by type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from adapter.validation.definitions import FHIR_BASE, Definitions
from adapter.validation.model import ElementNode
from adapter.validation.scope import EvaluationScope

LITERAL = re.compile(
    r"(?:^|/)([A-Z][A-Za-z]+)/[A-Za-z0-9\-.]{1,64}(?:/_history/[A-Za-z0-9\-.]{1,64})?$"
)
# (severity, issue code, message, expression)
Report = Callable[[str, str, str, str], None]
# (target resource, profile URL, target is contained) -> conforms, or None when not checkable
Conforms = Callable[[dict[str, Any], str, bool], bool | None]


def _target_type(target: Any, reference: str) -> str | None:
    if isinstance(target, dict):
        kind = target.get("resourceType")
        return kind if isinstance(kind, str) else None
    match = LITERAL.search(reference)
    return match.group(1) if match else None


def _declared_type(declared: Any) -> str | None:
    """`Reference.type`: a resource type, or its StructureDefinition URL."""
    if not isinstance(declared, str):
        return None
    if declared.startswith(FHIR_BASE):
        return declared[len(FHIR_BASE) :]
    return declared if "/" not in declared and ":" not in declared else None


def _target_profiles(definitions: Definitions, node: ElementNode) -> dict[str, str]:
    """targetProfile URL -> the resource type it constrains (kept on the node)."""
    if node.target_types is None:
        node.target_types = _read_target_profiles(definitions, node)
    return node.target_types


def _read_target_profiles(definitions: Definitions, node: ElementNode) -> dict[str, str]:
    found: dict[str, str] = {}
    for type_ref in node.types:
        if type_ref.code != "Reference":
            continue
        for profile in type_ref.target_profiles:
            sd = definitions.structure_definition(profile)
            found[profile] = sd["type"] if sd and sd.get("type") else profile.rsplit("/", 1)[-1]
    return found


def check_reference(
    value: dict[str, Any],
    node: ElementNode,
    expr: str,
    *,
    scope: EvaluationScope,
    definitions: Definitions,
    report: Report,
    conforms: Conforms,
) -> None:
    reference = value.get("reference")
    if not isinstance(reference, str):
        return
    where = f"{expr}.reference"
    # `#id` targets that are missing are reported by the R4 invariant ref-1 on every Reference.
    target = scope.references.get(reference)
    if reference.startswith(("urn:uuid:", "urn:oid:")):
        if scope.bundle_full_urls is not None and target is None:
            report(
                "error",
                "not-found",
                f"{reference} does not resolve to the fullUrl of any entry in this Bundle",
                where,
            )
            return
    declared = _declared_type(value.get("type"))
    found = _target_type(target, reference) if declared else None
    if declared and found and declared != found:
        report(
            "error",
            "structure",
            f"Reference.type {declared} does not match the {found} that {reference} points to",
            where,
        )
        return
    profiles = _target_profiles(definitions, node)
    allowed = set(profiles.values())
    if not allowed or "Resource" in allowed:
        return
    kind = _target_type(target, reference) or value.get("type")
    if isinstance(kind, str) and kind not in allowed:
        report(
            "error",
            "structure",
            f"Reference to a {kind} is not allowed here; expected {' or '.join(sorted(allowed))}",
            where,
        )
        return
    if isinstance(target, dict) and isinstance(kind, str):
        _check_target_profiles(target, kind, profiles, reference, where, report, conforms)


def _check_target_profiles(
    target: dict[str, Any],
    kind: str,
    profiles: dict[str, str],
    reference: str,
    where: str,
    report: Report,
    conforms: Conforms,
) -> None:
    candidates = [url for url, of_type in profiles.items() if of_type == kind]
    if not candidates or FHIR_BASE + kind in candidates:
        return  # any resource of the type will do
    verdicts = [conforms(target, url, reference.startswith("#")) for url in candidates]
    if any(v is None or v for v in verdicts):
        return
    report(
        "error",
        "structure",
        f"The {kind} referenced by {reference} does not conform to "
        f"{' or '.join(sorted(candidates))}",
        where,
    )
