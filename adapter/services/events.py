"""Events: one item of a member-record list added or replaced, with its effects on the member."""

from __future__ import annotations

import copy
import hashlib
from datetime import date, timedelta
from typing import Any

Record = dict[str, Any]

# kind (a member-record list, docs/architecture.md §1) -> (schema definition, identity fields).
# Lists whose items carry no id of their own are keyed by the fields that name them.
EVENT_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "status_events": ("status_event", ("event_id",)),
    "institutional_admissions": ("institutional_admission", ("admission_id",)),
    "ltsc_requests": ("ltsc_request", ("request_id",)),
    "ltss_needs": ("ltss_need", ("need_id",)),
    "assessments": ("assessment", ("assessment_id",)),
    "agency_involvement": ("agency_involvement", ("agency", "service", "start")),
    "offers": ("offer", ("offer_id",)),
    "consents": ("consent", ("consent_id",)),
    "service_recommendations": ("service_recommendation", ("recommendation_id",)),
    "communications": ("communication", ("communication_id",)),
    "ltsc_assignments": ("ltsc_assignment", ("staff_id", "start")),
}

# STATUS-SHARE: these status events change where the member lives, so they need an address.
ADDRESS_EVENTS = ("address-change", "facility-stay")
# TEAM-DISCRETION: what accepting an LTS-C lets the member's team share with them, until the
# member records a consent of their own saying otherwise.
ACCEPTED_OFFER_SHARE = ["care-plan", "contact"]
MAX_ID_LENGTH = 64


def item_key(kind: str, item: Record) -> tuple[Any, ...]:
    return tuple(item.get(name) for name in EVENT_KINDS[kind][1])


def find_item(record: Record, kind: str, key: tuple[Any, ...]) -> Record | None:
    """The member's item of `kind` with that identity, if any."""
    return next((i for i in record.get(kind) or [] if item_key(kind, i) == key), None)


def with_item(record: Record, kind: str, item: Record) -> Record:
    """A copy of the record with the item added, or replacing the one with the same identity."""
    updated = copy.deepcopy(record)
    key = item_key(kind, item)
    replaced = find_item(updated, kind, key)
    items = [i for i in updated.get(kind) or [] if item_key(kind, i) != key]
    updated[kind] = [*items, copy.deepcopy(item)]
    if kind == "status_events":
        _withdraw_death(updated["member"], replaced, item)
        _apply_status_event(updated["member"], item)
    if kind == "offers" and item.get("outcome") == "accepted" and item.get("chosen_staff_id"):
        _join_care_team(updated, item)
    return updated


def _join_care_team(record: Record, offer: Record) -> None:
    """CHOICE: the chosen LTS-C joins the care team on the decision day, with the member's
    consent (TEAM-DISCRETION); LTSC-CHANGE: the LTS-C serving until then hands over that day."""
    staff_id, day = offer["chosen_staff_id"], offer["outcome_date"]
    assignments = record.setdefault("ltsc_assignments", [])
    if not any(a["staff_id"] == staff_id and a.get("end") is None for a in assignments):
        for other in assignments:
            if other.get("end") is None and other["start"] <= day:
                other.update(end=day, end_reason="member-choice")
        assignments.append({"staff_id": staff_id, "start": day, "end": None, "end_reason": None})
    consents = record.setdefault("consents", [])
    if not any(c["staff_id"] == staff_id and c["date"] <= day for c in consents):
        consent = {
            "consent_id": _derived_id("consent", offer["offer_id"]),
            "date": day,
            "staff_id": staff_id,
            "decision": "permit",
            "share": list(ACCEPTED_OFFER_SHARE),
        }
        consents[:] = [c for c in consents if c["consent_id"] != consent["consent_id"]]
        consents.append(consent)


def _derived_id(prefix: str, source_id: str) -> str:
    """A record id made from another record's id, within the plan-export id length."""
    text = f"{prefix}-{source_id}"
    if len(text) <= MAX_ID_LENGTH:
        return text
    digest = hashlib.sha256(source_id.encode()).hexdigest()[:16]
    return f"{prefix}-{digest}"


def _withdraw_death(member: Record, replaced: Record | None, event: Record) -> None:
    """A death reported in error and corrected by the same event id no longer stands."""
    if replaced and replaced["type"] == "death" and event["type"] != "death":
        if member.get("date_of_death") == replaced["date"]:
            member["date_of_death"] = None


def _apply_status_event(member: Record, event: Record) -> None:
    """STATUS-SHARE: death and address events also change the member's own data."""
    kind = event["type"]
    if kind == "death":
        member["date_of_death"] = event["date"]
    elif kind == "address-change":
        _move_home(member, event)
    elif kind == "facility-stay":
        _add_facility_stay(member, event)


def _move_home(member: Record, event: Record) -> None:
    """The event's address becomes home; the previous home ends the day before."""
    moved_on = date.fromisoformat(event["date"])
    day_before = (moved_on - timedelta(days=1)).isoformat()
    kept = []
    for address in member.get("addresses") or []:
        period = address["period"]
        if address["kind"] == "home" and period["start"] >= event["date"]:
            continue  # a home from this date on is the one this event (re)states
        if address["kind"] == "home" and (period.get("end") is None or period["end"] >= day_before):
            address["period"] = {**period, "end": day_before}
        kept.append(address)
    home = _member_address("home", event["address"], None, event["date"])
    home["county"] = home["county"] or _county_kept(member.get("addresses") or [], home)
    member["addresses"] = [*kept, home]


def _county_kept(addresses: list[Record], home: Record) -> str | None:
    """A move within the same city or ZIP code keeps the county of the previous home, so an
    address update without a county (HL7 v2 often sends none) keeps the member's service area
    (CHOICE-TWO); a move elsewhere without a county leaves it unknown."""
    homes = sorted(
        (a for a in addresses if a["kind"] == "home" and a.get("county")),
        key=lambda a: a["period"]["start"],
    )
    for previous in reversed(homes):
        same_city = (previous.get("city") or "").lower() == (home.get("city") or "").lower()
        if same_city or previous.get("postal_code") == home.get("postal_code"):
            return previous["county"]
    return None


def _add_facility_stay(member: Record, event: Record) -> None:
    """A short stay in a facility is a temporary address from the event's date."""
    kept = [
        a
        for a in member.get("addresses") or []
        if not (a["kind"] == "temporary-facility" and a["period"]["start"] == event["date"])
    ]
    stay = _member_address(
        "temporary-facility", event["address"], event.get("facility_name"), event["date"]
    )
    member["addresses"] = [*kept, stay]


def _member_address(kind: str, address: Record, facility: str | None, start: str) -> Record:
    return {
        "kind": kind,
        "line": list(address["line"]),
        "city": address["city"],
        "county": address.get("county"),
        "state": address["state"],
        "postal_code": address["postal_code"],
        "facility_name": facility,
        "period": {"start": start, "end": None},
    }
