"""The API's access rules as the web app uses them, and the store look-ups pages need.

Who may see what is decided by `adapter.security.AccessPolicy`, the same policy (and the same
compartment cache) that guards the FHIR API: a plan user sees the plan's members; an LTS-C sees
the members whose care team they are on with the member's consent (TEAM-DISCRETION) and acts
on the Tasks their CBO owns.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from adapter.config import Settings
from adapter.errors import Gone, NotFound
from adapter.security import AccessPolicy
from adapter.security.compartments import patient_of

Resource = dict[str, Any]
PAGE = "1000"
SECURITY_KEY = "ltsc_security"  # where adapter.api keeps its security objects


def shared_policy(app: Flask, store: Any, settings: Settings) -> AccessPolicy:
    """The API's policy when the app has one, so a web write refreshes the API's view too."""
    security = app.extensions.get(SECURITY_KEY)
    policy = getattr(security, "policy", None)
    if isinstance(policy, AccessPolicy) and policy.store is store:
        return policy
    return AccessPolicy(store, settings.auth_compartment_cache_seconds)


def patient_id_of(resource: Resource) -> str | None:
    """The Patient id (`mbr-...`) a resource is about."""
    return patient_of(resource)


def search_all(store: Any, resource_type: str, params: list[tuple[str, str]]) -> list[Resource]:
    """Every match of a search, following the store's pages."""
    found: list[Resource] = []
    page_params: list[tuple[str, str]] | None = [*params, ("_count", PAGE)]
    while page_params:
        page = store.search(resource_type, page_params)
        found.extend(m.resource for m in page.matches)
        page_params = page.next_params
    return found


def read_reference(store: Any, reference: str) -> Resource | None:
    """The resource a relative reference names; None when it is not stored."""
    resource_type, _, resource_id = reference.partition("/")
    if not resource_type or not resource_id:
        return None
    try:
        return store.read(resource_type, resource_id).resource
    except (NotFound, Gone):
        return None
