"""Bundle-wide rules: fullUrl uniqueness, duplicate resource ids and entry lookup for references."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from adapter.validation.integrity import dangling_references

# (severity, issue code, message, expression)
Report = Callable[[str, str, str, str], None]


def _entries(bundle: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return []
    return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)]


def bundle_references(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every way an entry can be referred to inside the Bundle: fullUrl and `Type/id`."""
    found: dict[str, dict[str, Any]] = {}
    for _, entry in _entries(bundle):
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        full_url = entry.get("fullUrl")
        if isinstance(full_url, str):
            found[full_url] = resource
        kind, rid = resource.get("resourceType"), resource.get("id")
        if isinstance(kind, str) and isinstance(rid, str):
            found.setdefault(f"{kind}/{rid}", resource)
    return found


RESTFUL_TAIL = re.compile(
    r"/([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$"
)


def _check_full_url(report: Report, full_url: str, kind: str, rid: str, where: str) -> None:
    """A RESTful fullUrl (`.../Patient/1`) names the entry's own type and id."""
    if not full_url.startswith(("http://", "https://")):
        return
    match = RESTFUL_TAIL.search(full_url)
    if match and (match.group(1), match.group(2)) != (kind, rid):
        report(
            "error",
            "invalid",
            f"fullUrl {full_url} does not end with the entry's {kind}/{rid}",
            where,
        )


def check_bundle(report: Report, bundle: dict[str, Any], expr: str) -> None:
    full_urls: dict[str, int] = {}
    ids: dict[str, int] = {}
    for index, entry in _entries(bundle):
        where = f"{expr}.entry[{index}]"
        full_url = entry.get("fullUrl")
        if isinstance(full_url, str):
            if full_url in full_urls:
                report(
                    "error",
                    "duplicate",
                    f"fullUrl {full_url} is also used by entry {full_urls[full_url]}",
                    f"{where}.fullUrl",
                )
            full_urls.setdefault(full_url, index)
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        kind, rid = resource.get("resourceType"), resource.get("id")
        if isinstance(full_url, str) and isinstance(kind, str) and isinstance(rid, str):
            _check_full_url(report, full_url, kind, rid, f"{where}.fullUrl")
        if isinstance(kind, str) and isinstance(rid, str):
            key = f"{kind}/{rid}"
            if key in ids:
                report(
                    "error",
                    "duplicate",
                    f"Resource {key} also appears in entry {ids[key]}",
                    f"{where}.resource.id",
                )
            ids.setdefault(key, index)
    # Referential integrity: a local reference must resolve to an entry of the Bundle.
    # (`urn:uuid:` references are checked with each Reference, in references.py.)
    # Only where the Bundle is a write: a searchset or collection may point past itself.
    if bundle.get("type") not in ("transaction", "batch"):
        return
    for issue in dangling_references(bundle, relative_only=True):
        path = expr + issue.expression[0].removeprefix("Bundle")
        report("error", "not-found", issue.message.replace(" nor to a stored resource", ""), path)
