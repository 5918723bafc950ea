"""Who concerns whom: the member a resource is about, and the members a client's org may see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapter import clock
from adapter.mapping.ids import resource_id
from adapter.store.dates import MIN_INSTANT, parse_range
from adapter.store.index import split_reference

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
    "Condition": "patient",
    "Consent": "patient",
    "Communication": "patient",
    "Provenance": "patient",
    "ServiceRequest": "patient",
    "Procedure": "patient",
    "Task": "patient",
}
MEMBER_TYPES = frozenset({"Patient", *PATIENT_PARAMS})
# Reference values one search criterion may carry (SQLite refuses deeper expressions).
MAX_SEARCH_VALUES = 300
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
        ref = normalized(reference_of(resource.get(field)))
        if ref and ref.startswith("Patient/"):
            return ref.removeprefix("Patient/")
    if resource.get("resourceType") == "Provenance":
        for target in resource.get("target") or []:
            ref = normalized(reference_of(target))
            if ref and ref.startswith("Patient/"):
                return ref.removeprefix("Patient/")
    return None


def references(values: Any) -> set[str]:
    """The literal references among `values`, as `Type/id`."""
    items = values if isinstance(values, list) else [values]
    return {ref for item in items if (ref := normalized(reference_of(item)))}


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
    now = clock.utcnow_naive()
    on_team = _active_team_roles(store, roles, now)
    permitted = _consented(store, on_team, own, now)
    return Compartment(frozenset(permitted), own)


def normalized(reference: str | None) -> str | None:
    """`Type/id` for a relative, absolute or versioned literal reference; None otherwise."""
    if not reference:
        return None
    found = split_reference(reference)
    return f"{found[0]}/{found[1]}" if found else None


def _in_chunks(values: set[str] | frozenset[str]) -> Iterator[str]:
    """Comma-joined reference lists small enough for one search criterion each."""
    ordered = sorted(values)
    for start in range(0, len(ordered), MAX_SEARCH_VALUES):
        yield ",".join(ordered[start : start + MAX_SEARCH_VALUES])


def _period_holds(period: Any, now: datetime) -> bool:
    """Whether `now` is inside a FHIR Period (open ends are unbounded; bad dates never hold)."""
    if not isinstance(period, dict):
        return period is None
    start, end = period.get("start"), period.get("end")
    low = parse_range(start) if isinstance(start, str) else None
    high = parse_range(end) if isinstance(end, str) else None
    if (start is not None and low is None) or (end is not None and high is None):
        return False
    if low is not None and low[0] > now:
        return False
    return high is None or high[1] >= now


def _active_team_roles(store: Any, roles: set[str], now: datetime) -> dict[str, set[str]]:
    """Patient id -> the CBO's roles on that member's active care team, within their period."""
    found: dict[str, set[str]] = {}
    seen: set[str] = set()
    for chunk in _in_chunks(roles):
        for stored in all_resources(store, "CareTeam", [("participant", chunk)]):
            if stored.id in seen:
                continue
            seen.add(stored.id)
            team = stored.resource
            patient = patient_of(team)
            if patient is None or team.get("status", "active") != "active":
                continue
            for participant in team.get("participant") or []:
                ref = normalized(reference_of(participant.get("member")))
                if ref in roles and _period_holds(participant.get("period"), now):
                    found.setdefault(patient, set()).add(ref)
    return found


def _consented(
    store: Any, on_team: dict[str, set[str]], own: frozenset[str], now: datetime
) -> set[str]:
    """Members whose deciding Consent naming the CBO or its LTS-C permits sharing.

    Per member, of the active Consents whose provision names one of the CBO's references
    (compared as `Type/id`, however written) and whose provision period holds now, the most
    recent (provision start, else dateTime) decides. A tie is decided for deny, and a provision
    type other than `permit` (missing or unknown) denies.
    """
    if not on_team:
        return set()
    latest: dict[str, tuple[datetime, bool]] = {}
    seen: set[str] = set()
    for chunk in _in_chunks(own):
        for stored in all_resources(store, "Consent", [("actor", chunk)]):
            if stored.id in seen:
                continue
            seen.add(stored.id)
            decision = _decision(stored.resource, on_team, own, now)
            if decision is None:
                continue
            patient, when, permits = decision
            if patient not in latest or _wins((when, permits), latest[patient]):
                latest[patient] = (when, permits)
    return {patient for patient, (_, permits) in latest.items() if permits}


def _wins(new: tuple[datetime, bool], old: tuple[datetime, bool]) -> bool:
    if new[0] != old[0]:
        return new[0] > old[0]
    return not new[1]  # same moment: deny wins


def _decision(
    consent: dict[str, Any], on_team: dict[str, set[str]], own: frozenset[str], now: datetime
) -> tuple[str, datetime, bool] | None:
    """(member, when, permits) for a Consent that applies to the CBO now; None otherwise."""
    patient = patient_of(consent)
    if patient not in on_team or consent.get("status") != "active":
        return None
    provision = consent.get("provision") if isinstance(consent.get("provision"), dict) else {}
    actors = provision.get("actor") if isinstance(provision.get("actor"), list) else []
    named = {normalized(reference_of(a.get("reference"))) for a in actors if isinstance(a, dict)}
    if not named & (on_team[patient] | own):
        return None
    if not _period_holds(provision.get("period"), now):
        return None
    start = (provision.get("period") or {}).get("start") or consent.get("dateTime")
    moment = parse_range(start) if isinstance(start, str) else None
    when = moment[0] if moment else MIN_INSTANT
    return patient, when, provision.get("type") == "permit"
