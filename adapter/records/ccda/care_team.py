"""Care team members (Care Team Organizer, serviceEvent performers) as CC / LTS-C assignments
and the directory entries they need."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from adapter.records.ccda.document import (
    Element,
    attr,
    find,
    first,
    hl7_date,
    iso,
    text,
    xpath_of,
)
from adapter.records.ccda.patient import address, person_name, telecom
from adapter.records.ccda.tables import by_code_or_words, tables
from adapter.records.schema import field_path, schema_errors

CARE_TEAM_MEMBER_ACT = "2.16.840.1.113883.10.20.22.4.500.1"
TEAM_PERFORMERS = (
    f"//hl7:act[hl7:templateId/@root='{CARE_TEAM_MEMBER_ACT}']/hl7:performer"
    " | hl7:documentationOf/hl7:serviceEvent/hl7:performer"
)


@dataclass
class CareTeam:
    """What the care team adds to the export: directory entries, assignments, and notes."""

    cbos: list[dict[str, Any]] = field(default_factory=list)
    ltsc_staff: list[dict[str, Any]] = field(default_factory=list)
    care_coordinators: list[dict[str, Any]] = field(default_factory=list)
    cc_assignments: list[dict[str, Any]] = field(default_factory=list)
    ltsc_assignments: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    consent_locations: list[str] = field(default_factory=list)
    ltsc_assignment_locations: list[str] = field(default_factory=list)
    locations: dict[tuple[str, int], str] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def locations_of(self, kind: str) -> list[str]:
        return [self.locations[(kind, i)] for i in range(len(getattr(self, kind)))]

    def role_of(self, staff_id: str) -> str | None:
        if any(s["staff_id"] == staff_id for s in self.ltsc_staff):
            return "ltsc"
        if any(s["staff_id"] == staff_id for s in self.care_coordinators):
            return "cc"
        return None


def care_team(root: Element, as_of: date, home_county: str | None) -> CareTeam:
    team = CareTeam()
    seen: set[str] = set()
    for performer in find(root, TEAM_PERFORMERS):
        add_member(team, performer, as_of, home_county, seen)
    return team


def role_of(performer: Element) -> str | None:
    function = first(performer, "hl7:functionCode | sdtc:functionCode")
    label = " ".join(
        [attr(function, "displayName"), attr(first(function, "hl7:originalText"), "value")]
    )
    if function is not None:
        label += " " + "".join(function.itertext())
    codes, words = tables()["role_codes"], tables()["role_words"]
    return by_code_or_words(codes, words, attr(function, "code"), label)


def add_member(
    team: CareTeam, performer: Element, as_of: date, county: str | None, seen: set[str]
) -> None:
    where = xpath_of(performer)
    role, entity = role_of(performer), first(performer, "hl7:assignedEntity")
    staff_id = next(
        (attr(i, "extension") for i in find(entity, "hl7:id") if attr(i, "extension")), ""
    )
    if role is None:
        team.notes.append((where, "care team member is neither a CC nor an LTS-C; not mapped"))
        return
    if not staff_id:
        team.notes.append((where, f"{role.upper()} without an id; not mapped"))
        return
    if staff_id in seen:
        return
    seen.add(staff_id)
    start, end = assignment_period(performer, as_of)
    if role == "cc":
        add_cc(team, entity, staff_id, start, end, where)
    else:
        add_ltsc(team, entity, staff_id, start, end, where, county)


def assignment_period(performer: Element, as_of: date) -> tuple[str, str | None]:
    """The member act's period, else the performer's time, else the document date."""
    for path in ("../hl7:effectiveTime", "hl7:time"):
        period = first(performer, path)
        start = hl7_date(first(period, "hl7:low")) if period is not None else None
        if start:
            return start.isoformat(), iso(hl7_date(first(period, "hl7:high")))
    return as_of.isoformat(), None


def contact(entity: Element) -> dict[str, Any]:
    found = [t for t in (telecom(e) for e in find(entity, "hl7:telecom")) if t]
    phones = [t["value"] for t in found if t["system"] == "phone"]
    emails = [t["value"] for t in found if t["system"] == "email"]
    return {
        "name": person_name(first(entity, "hl7:assignedPerson/hl7:name")),
        "phone": phones[0] if phones else None,
        "email": emails[0] if emails else None,
    }


def add_cc(team: CareTeam, entity: Element, staff_id: str, start: str, end, where: str) -> None:
    entry = {"staff_id": staff_id, **contact(entity), "schedule": None, "time_off": []}
    entry["active"] = True
    if complete(team, "care_coordinator", entry, where):
        team.locations[("care_coordinators", len(team.care_coordinators))] = where
        team.care_coordinators.append(entry)
        team.cc_assignments.append({"staff_id": staff_id, "start": start, "end": end})


def add_ltsc(
    team: CareTeam, entity: Element, staff_id: str, start: str, end, where: str, county
) -> None:
    org = first(entity, "hl7:representedOrganization")
    cbo = cbo_entry(org, start, county) if org is not None else None
    if cbo is None or not complete(team, "cbo", cbo, xpath_of(org) if org is not None else where):
        team.notes.append(
            (where, "LTS-C without a usable CBO (representedOrganization); not mapped")
        )
        return
    entry = {"staff_id": staff_id, "cbo_id": cbo["cbo_id"], **contact(entity)}
    entry |= {"schedule": None, "languages": [], "time_off": [], "active": True}
    if not complete(team, "ltsc_staff", entry, where):
        return
    if all(c["cbo_id"] != cbo["cbo_id"] for c in team.cbos):
        team.locations[("cbos", len(team.cbos))] = xpath_of(org)
        team.cbos.append(cbo)
    team.locations[("ltsc_staff", len(team.ltsc_staff))] = where
    team.ltsc_staff.append(entry)
    consent = participation_consent(entity.getparent(), staff_id, start)
    if consent is None:
        # TEAM-DISCRETION: without the member's consent the LTS-C is not put on the team.
        team.notes.append((where, f"no participation consent for LTS-C {staff_id}; not assigned"))
        return
    team.consents.append(consent[0])
    team.consent_locations.append(consent[1])
    team.ltsc_assignment_locations.append(where)
    team.ltsc_assignments.append(
        {"staff_id": staff_id, "start": start, "end": end, "end_reason": None}
    )


def participation_consent(
    performer: Element, staff_id: str, start: str
) -> tuple[dict[str, Any], str] | None:
    """TEAM-DISCRETION: the member's consent act inside the care team member act, if any."""
    code = tables()["consent_code"]
    act = first(performer, f"../hl7:entryRelationship/hl7:act[hl7:code/@code='{code}']")
    if act is None:
        return None
    shares = [attr(v, "code") for v in find(act, ".//hl7:observation/hl7:value")]
    day = hl7_date(first(act, "hl7:effectiveTime/hl7:low")) or hl7_date(
        first(act, "hl7:effectiveTime")
    )
    ident = first(act, "hl7:id")
    consent = {
        "consent_id": attr(ident, "extension") or f"CN-{staff_id}",
        "date": day.isoformat() if day else start,
        "staff_id": staff_id,
        "decision": "deny" if act.get("negationInd") == "true" else "permit",
        "share": [s for s in shares if s in tables()["consent_shares"]]
        or tables()["default_consent_share"],
    }
    return consent, xpath_of(act)


def cbo_entry(org: Element, start: str, county: str | None) -> dict[str, Any] | None:
    cbo_id = next((attr(i, "extension") for i in find(org, "hl7:id") if attr(i, "extension")), "")
    if not cbo_id:
        return None
    org_address = next((a for a in (address(e) for e in find(org, "hl7:addr")) if a), None)
    area = (org_address or {}).get("county") or county
    phones = [t["value"] for t in (telecom(e) for e in find(org, "hl7:telecom")) if t]
    return {
        "cbo_id": cbo_id,
        "name": text(first(org, "hl7:name")) or None,
        "type": tables()["cbo_types"].get(cbo_id, "other"),
        "service_area": [area] if area else [],
        "phone": phones[0] if phones else None,
        "email": None,
        "address": org_address,
        # C-CDA says nothing of the plan's contract: an active LTS-C implies one from then on.
        "contract": {"start": start, "end": None},
    }


def complete(team: CareTeam, definition: str, entry: dict[str, Any], where: str) -> bool:
    """Directory entries need contact details C-CDA leaves optional; say what is missing."""
    problems = schema_errors(definition, entry)
    if problems:
        missing = ", ".join(f"{field_path(p)} {m}" for p, m in problems)
        team.notes.append((where, f"not added to the directory: {missing}"))
    return not problems
