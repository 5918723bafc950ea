"""Referential integrity: every local reference in a Bundle resolves inside it or in the store.

A local reference is a relative `Type/id` (optionally `/_history/n`) or a `urn:uuid:` fullUrl.
Inside a Bundle, `Type/id` resolves to the entry with that resource type and id, or whose fullUrl
ends in `/Type/id`; anything else must be found by `known` (the store) or it dangles. Absolute
URLs on other servers, contained `#id` and canonical URLs are not local references.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from adapter.outcome import Issue

LOCAL = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")
Known = Callable[[str, str], bool]


def references_in(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(FHIRPath-like location, reference) of every Reference.reference inside `value`."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield f"{path}.reference", item
            elif key != "contained":
                yield from references_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from references_in(item, f"{path}[{index}]")


def bundle_targets(bundle: dict[str, Any]) -> set[str]:
    """Every local way an entry can be referred to: its fullUrl and `Type/id`."""
    found: set[str] = set()
    for entry in bundle.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        full_url, resource = entry.get("fullUrl"), entry.get("resource") or {}
        if isinstance(full_url, str):
            found.add(full_url)
            match = re.search(r"([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64})$", full_url)
            if match and not full_url.startswith("urn:"):
                found.add(match.group(1))
        if isinstance(resource, dict) and resource.get("resourceType") and resource.get("id"):
            found.add(f"{resource['resourceType']}/{resource['id']}")
    return found


def dangling_references(
    bundle: dict[str, Any], known: Known | None = None, *, relative_only: bool = False
) -> list[Issue]:
    """An error per local reference of an entry that resolves neither in the Bundle nor via
    `known(type, id)`; `relative_only` leaves `urn:` references to the caller."""
    targets = bundle_targets(bundle)
    issues = []
    for index, entry in enumerate(bundle.get("entry") or []):
        if not isinstance(entry, dict):
            continue
        where = f"Bundle.entry[{index}].resource"
        for path, reference in references_in(entry.get("resource"), where):
            if _resolves(reference, targets, known):
                continue
            if relative_only and reference.startswith("urn:"):
                continue
            text = (
                f"{reference} resolves neither to an entry of this Bundle nor to a stored resource"
            )
            issues.append(Issue("error", "not-found", text, (path,)))
    return issues


def _resolves(reference: str, targets: set[str], known: Known | None) -> bool:
    if reference.startswith("#") or reference in targets:
        return True
    if reference.startswith("urn:"):
        return False
    match = LOCAL.match(reference)
    if match is None:
        return True  # absolute URL elsewhere or a logical reference: not ours to resolve
    if f"{match.group(1)}/{match.group(2)}" in targets:
        return True
    return known is not None and known(match.group(1), match.group(2))
