"""Who concerns whom: the member a resource is about, and the members a client's org may see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from adapter.mapping.ids import resource_id

# Types holding directory data (no member data): visible to every member-facing client.
DIRECTORY_TYPES = frozenset({"Organization", "Practitioner", "PractitionerRole"})
# Plan-level aggregates and definitions, without member detail.
PLAN_TYPES = frozenset({"MeasureReport", "Measure"})
AUDIT_TYPES = frozenset({"AuditEvent"})
ADMIN_TYPES = frozenset({"Subscription"})
# The search parameter that finds a type's resources by member, for compartment filters.
PATIENT_PARAMS = {
    "CareTeam": "patient",
    "CarePlan": "patient",
    "Goal": "patient",
    "Consent": "patient",
    "Communication": "patient",
    "Provenance": "patient",
    "ServiceRequest": "patient",
    "Procedure": "patient",
    "Task": "patient",
}
MEMBER_TYPES = frozenset({"Patient", *PATIENT_PARAMS})
_PATIENT_FIELDS = ("subject", "patient", "for", "beneficiary")


def reference_of(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("reference"), str):
        return value["reference"]
    return None


def patient_of(resource: dict[str, Any]) -> str | None:
    """The id of the Patient a resource is about (`mbr-...`), or None."""
    if resource.get("resourceType") == "Patient":
        return resource.get("id")
    for field in _PATIENT_FIELDS:
        ref = reference_of(resource.get(field))
        if ref and ref.startswith("Patient/"):
            return ref.removeprefix("Patient/")
    if resource.get("resourceType") == "Provenance":
        for target in resource.get("target") or []:
            ref = reference_of(target)
            if ref and ref.startswith("Patient/"):
                return ref.removeprefix("Patient/")
    return None


def references(values: Any) -> set[str]:
    items = values if isinstance(values, list) else [values]
    return {ref for item in items if (ref := reference_of(item))}


def plan_reference(plan_id: str) -> str:
    return f"Organization/{resource_id('plan', plan_id)}"


def cbo_reference(cbo_id: str) -> str:
    return f"Organization/{resource_id('cbo', cbo_id)}"


def role_reference(staff_id: str) -> str:
    return f"PractitionerRole/{resource_id('role', staff_id)}"


@dataclass(frozen=True)
class Compartment:
    """What an organization may see: its members (Patient ids) and its own references.

    `all_members` is set when the org's members are every member in the store, so searches
    need no member filter.
    """

    members: frozenset[str]
    own_refs: frozenset[str] = frozenset()
    all_members: bool = False


def all_resources(store: Any, resource_type: str, params: list[tuple[str, str]]) -> Iterator[Any]:
    """Every match of a search, page by page."""
    page_size = str(store.paging.maximum)
    query = [*params, ("_count", page_size)]
    while True:
        page = store.search(resource_type, query)
        yield from page.matches
        if not page.next_params:
            return
        query = page.next_params


def plan_compartment(store: Any, plan_id: str) -> Compartment:
    plan_ref = plan_reference(plan_id)
    members = frozenset(s.id for s in all_resources(store, "Patient", [("organization", plan_ref)]))
    everyone = store.search("Patient", [("_summary", "count")]).total
    return Compartment(members, frozenset({plan_ref}), all_members=len(members) == everyone)


def cbo_compartment(store: Any, cbo_id: str, staff_id: str | None = None) -> Compartment:
    """TEAM-DISCRETION: members whose care team has one of the CBO's LTS-Cs, by consent."""
    org_ref = cbo_reference(cbo_id)
    roles = {f"PractitionerRole/{s.id}" for s in all_resources(
        store, "PractitionerRole", [("organization", org_ref)]
    )}  # fmt: skip
    if staff_id is not None:  # a person sees only the members they work with
        roles &= {role_reference(staff_id)}
    own = frozenset({org_ref, *roles})
    if not roles:
        return Compartment(frozenset(), own)
    on_team = _active_team_roles(store, roles)
    permitted = _consented(store, on_team, own)
    return Compartment(frozenset(permitted), own)


def _active_team_roles(store: Any, roles: set[str]) -> dict[str, set[str]]:
    """Patient id -> the CBO's roles on that member's care team with no end to their period."""
    found: dict[str, set[str]] = {}
    for stored in all_resources(store, "CareTeam", [("participant", ",".join(sorted(roles)))]):
        team = stored.resource
        patient = patient_of(team)
        if patient is None or team.get("status", "active") != "active":
            continue
        for participant in team.get("participant") or []:
            ref = reference_of(participant.get("member"))
            ended = (participant.get("period") or {}).get("end")
            if ref in roles and not ended:
                found.setdefault(patient, set()).add(ref)
    return found


def _consented(store: Any, on_team: dict[str, set[str]], own: frozenset[str]) -> set[str]:
    """Members whose latest active Consent naming the CBO or its LTS-C permits sharing."""
    if not on_team:
        return set()
    latest: dict[str, tuple[str, str]] = {}
    actors = ",".join(sorted(own))
    for stored in all_resources(store, "Consent", [("actor", actors)]):
        consent = stored.resource
        patient = patient_of(consent)
        if patient not in on_team or consent.get("status") != "active":
            continue
        provision = consent.get("provision") or {}
        named = {reference_of(a.get("reference")) for a in provision.get("actor") or []}
        if not named & (on_team[patient] | own):
            continue
        when = (provision.get("period") or {}).get("start") or consent.get("dateTime") or ""
        if patient not in latest or when >= latest[patient][0]:
            latest[patient] = (when, provision.get("type", ""))
    return {patient for patient, (_, decision) in latest.items() if decision == "permit"}
