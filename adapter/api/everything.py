"""`Patient/[id]/$everything`: the member's record within the caller's compartment and scopes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request

from adapter.api import bundles
from adapter.api.formats import fhir_response
from adapter.api.security import guarded_store, security
from adapter.api.served import RESOURCE_TYPES
from adapter.api.writes import check_id
from adapter.errors import InvalidRequest, PayloadTooLarge
from adapter.security.compartments import (
    DIRECTORY_TYPES,
    PATIENT_PARAMS,
    all_resources,
    references,
)
from adapter.store.dates import parse_range

everything = Blueprint("fhir_everything", __name__)

# One answer holds at most this many resources; larger records are for Patient/$export.
MAX_EVERYTHING = 10_000


@everything.get("/Patient/<rid>/$everything")
def patient_everything(rid: str) -> Response:
    check_id(rid)
    patient = guarded_store().read("Patient", rid)  # 404 outside the compartment
    types = requested_types()
    since = _since()
    found: list[Any] = [patient] if "Patient" in types else []
    for resource_type, param in PATIENT_PARAMS.items():
        if resource_type not in types or not _may_search(resource_type):
            continue
        params = [(param, f"Patient/{rid}"), *since]
        for stored in all_resources(guarded_store(), resource_type, params):
            found.append(stored)
            if len(found) > MAX_EVERYTHING:
                raise PayloadTooLarge(
                    f"The record holds more than {MAX_EVERYTHING} resources; use Patient/$export"
                )
    included = _referenced_directory(found, types)
    page = _Page(total=len(found), matches=found, included=included)
    used = [(k, v) for k, v in request.args.items(multi=True) if k in ("_type", "_since")]
    return fhir_response(bundles.searchset(f"Patient/{rid}/$everything", page, used))


class _Page:
    def __init__(self, total: int, matches: list[Any], included: list[Any]) -> None:
        self.total = total
        self.matches = matches
        self.included = included
        self.next_params = None
        self.prev_params = None
        self.ignored_params: list[tuple[str, str]] = []


def requested_types() -> set[str]:
    raw = [t.strip() for value in request.args.getlist("_type") for t in value.split(",")]
    wanted = {t for t in raw if t}
    unknown = wanted - set(RESOURCE_TYPES)
    if unknown:
        raise InvalidRequest(
            f"_type names types not served here: {', '.join(sorted(unknown))}", expression="_type"
        )
    return wanted or {"Patient", *PATIENT_PARAMS, *DIRECTORY_TYPES}


def _since() -> list[tuple[str, str]]:
    since = request.args.get("_since")
    if since is None:
        return []
    if parse_range(since) is None or "T" not in since:
        raise InvalidRequest(
            "_since must be an instant, e.g. 2026-11-01T00:00:00Z", expression="_since"
        )
    return [("_lastUpdated", f"ge{since}")]


def _may_search(resource_type: str) -> bool:
    return security().policy.allows(g.principal, "search", resource_type)


def _referenced_directory(found: list[Any], types: set[str]) -> list[Any]:
    """Organizations, Practitioners and PractitionerRoles the record refers to."""
    wanted: set[tuple[str, str]] = set()
    for stored in found:
        for reference in _all_references(stored.resource):
            kind, _, ident = reference.partition("/")
            if kind in DIRECTORY_TYPES and kind in types and ident and "/" not in ident:
                wanted.add((kind, ident))
    included = []
    for kind, ident in sorted(wanted):
        if not _may_search(kind):
            continue
        page = guarded_store().search(kind, [("_id", ident)])
        included.extend(page.matches)
    return included


def _all_references(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = references(value) if "reference" in value else set()
        for child in value.values():
            found |= _all_references(child)
        return found
    if isinstance(value, list):
        return {ref for item in value for ref in _all_references(item)}
    return set()
