"""Care team members (Care Team Organizer V1/V2 member acts, serviceEvent performers).

A Care Coordinator or LTS-C with the contact details the directory needs becomes an assignment;
every other member (and a CC or LTS-C the directory cannot take) is kept as a care team member
with the document's own role, so nobody on the team is lost. Function codes are optional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from adapter.records.ccda.codes import coding, words
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
from adapter.records.ccda.ledger import Ledger
from adapter.records.ccda.patient import address, person_name, telecom
from adapter.records.ccda.tables import by_code_or_words, tables
from adapter.records.schema import schema_errors

CARE_TEAM_MEMBER_ACT = "2.16.840.1.113883.10.20.22.4.500.1"
TEAM_PERFORMERS = (
    f"//hl7:act[hl7:templateId/@root='{CARE_TEAM_MEMBER_ACT}']/hl7:performer"
    " | hl7:documentationOf/hl7:serviceEvent/hl7:performer"
)
ROLE_PATHS = ("hl7:functionCode", "sdtc:functionCode", "hl7:assignedEntity/hl7:code")


@dataclass
class CareTeam:
    """What the care team adds to the export: directory entries, assignments, other members."""

    cbos: list[dict[str, Any]] = field(default_factory=list)
    ltsc_staff: list[dict[str, Any]] = field(default_factory=list)
    care_coordinators: list[dict[str, Any]] = field(default_factory=list)
    cc_assignments: list[dict[str, Any]] = field(default_factory=list)
    ltsc_assignments: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    consent_locations: list[str] = field(default_factory=list)
    ltsc_assignment_locations: list[str] = field(default_factory=list)
    member_locations: list[str] = field(default_factory=list)
    locations: dict[tuple[str, int], str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # staff / member id -> name

    def locations_of(self, kind: str) -> list[str]:
        return [self.locations[(kind, i)] for i in range(len(getattr(self, kind)))]

    def role_of(self, staff_id: str) -> str | None:
        if any(s["staff_id"] == staff_id for s in self.ltsc_staff):
            return "ltsc"
        if any(s["staff_id"] == staff_id for s in self.care_coordinators):
            return "cc"
        return None


def care_team(root: Element, as_of: date, home_county: str | None, ledger: Ledger) -> CareTeam:
    team = CareTeam()
    seen: set[str] = set()
    for performer in find(root, TEAM_PERFORMERS):
        add_member(team, performer, as_of, home_county, seen, ledger)
    for act in find(root, f"//hl7:act[hl7:templateId/@root='{CARE_TEAM_MEMBER_ACT}']"):
        if first(act, "hl7:performer") is None:
            ledger.left(act, "care team member act without a performer")
    return team


def role_code(performer: Element) -> Element | None:
    """The member's role: the function code (CDA or sdtc), else the assigned entity's code."""
    for path in ROLE_PATHS:
        found = first(performer, path)
        if found is not None and (attr(found, "code") or words(found)):
            return found
    return None


def role_of(performer: Element) -> str | None:
    """cc or ltsc by the role's code or words (ccda.yaml role_codes, role_words), else None."""
    function = role_code(performer)
    if function is None:
        return None
    label = " ".join([words(function), attr(function, "displayName"), text(function)])
    codes, phrases = tables()["role_codes"], tables()["role_words"]
    return by_code_or_words(codes, phrases, attr(function, "code"), label)


def member_id_of(entity: Element | None) -> str:
    if entity is None:
        return ""
    return next((attr(i, "extension") for i in find(entity, "hl7:id") if attr(i, "extension")), "")


def display_name(entity: Element | None) -> str:
    """The person's name as written, else the organization's."""
    if entity is None:
        return ""
    name = first(entity, "hl7:assignedPerson/hl7:name")
    if name is not None and not name.get("nullFlavor"):
        spoken = " ".join(
            text(p) for p in name if isinstance(p.tag, str) and text(p) and p.tag[-6:] != "suffix"
        )
        if spoken or text(name):
            return spoken or text(name)
    return text(first(entity, "hl7:representedOrganization/hl7:name"))


def add_member(
    team: CareTeam,
    performer: Element,
    as_of: date,
    county: str | None,
    seen: set[str],
    ledger: Ledger,
) -> None:
    entity = first(performer, "hl7:assignedEntity")
    staff_id, name = member_id_of(entity), display_name(entity)
    key = staff_id or name
    if not key:
        ledger.left(performer, "care team member without an id or a name")
        return
    ledger.took(performer)
    if key in seen:
        return  # the same person in the header and the organizer
    seen.add(key)
    if name:
        team.names[staff_id or name] = name
    start, end = assignment_period(performer, as_of)
    role = role_of(performer)
    if role == "cc" and staff_id and add_cc(team, entity, staff_id, start, end, performer):
        return
    if role == "ltsc" and staff_id:
        added = add_ltsc(team, entity, staff_id, start, end, performer, county, ledger)
        if added is not None:
            return
    if role in ("cc", "ltsc"):
        needs = "an id, a start date, a phone and an email" + (
            ", and a CBO (representedOrganization) with an id and a county" * (role == "ltsc")
        )
        ledger.noted(
            performer,
            f"{role.upper()} {key} is kept as a care team member but not added to the "
            f"directory: it needs {needs}",
        )
    add_other(team, performer, key, name, start, end)


def assignment_period(performer: Element, as_of: date) -> tuple[str | None, str | None]:
    """The member act's period, else the performer's time; no start when neither has one."""
    for path in ("../hl7:effectiveTime", "hl7:time"):
        period = first(performer, path)
        if period is None:
            continue
        start = hl7_date(first(period, "hl7:low")) or hl7_date(period)
        if start:
            return start.isoformat(), iso(hl7_date(first(period, "hl7:high")))
    return None, None


def contact(entity: Element) -> dict[str, Any]:
    found = [t for t in (telecom(e) for e in find(entity, "hl7:telecom")) if t]
    phones = [t["value"] for t in found if t["system"] == "phone"]
    emails = [t["value"] for t in found if t["system"] == "email"]
    return {
        "name": person_name(first(entity, "hl7:assignedPerson/hl7:name")),
        "phone": phones[0] if phones else None,
        "email": emails[0] if emails else None,
    }


def add_cc(team: CareTeam, entity, staff_id: str, start, end, performer: Element) -> bool:
    entry = {"staff_id": staff_id, **contact(entity), "schedule": None, "time_off": []}
    entry["active"] = True
    if not complete("care_coordinator", entry) or start is None:
        return False
    team.locations[("care_coordinators", len(team.care_coordinators))] = xpath_of(performer)
    team.care_coordinators.append(entry)
    team.cc_assignments.append({"staff_id": staff_id, "start": start, "end": end})
    return True


def add_ltsc(
    team: CareTeam,
    entity: Element,
    staff_id: str,
    start: str | None,
    end: str | None,
    performer: Element,
    county: str | None,
    ledger: Ledger,
) -> bool | None:
    """True when assigned; False when left out (no consent); None when the directory can't
    take them (they stay on the team as a member with the document's role)."""
    org = first(entity, "hl7:representedOrganization")
    cbo = cbo_entry(org, start, county) if org is not None and start else None
    if cbo is None or not complete("cbo", cbo):
        return None
    entry = {"staff_id": staff_id, "cbo_id": cbo["cbo_id"], **contact(entity)}
    entry |= {"schedule": None, "languages": [], "time_off": [], "active": True}
    if not complete("ltsc_staff", entry):
        return None
    consent = participation_consent(entity.getparent(), staff_id, start)
    if consent is None:
        # TEAM-DISCRETION: without the member's consent the LTS-C is not put on the team.
        ledger.noted(performer, f"no participation consent for LTS-C {staff_id}; not assigned")
        return False
    if all(c["cbo_id"] != cbo["cbo_id"] for c in team.cbos):
        team.locations[("cbos", len(team.cbos))] = xpath_of(org)
        team.cbos.append(cbo)
    team.locations[("ltsc_staff", len(team.ltsc_staff))] = xpath_of(performer)
    team.ltsc_staff.append(entry)
    team.consents.append(consent[0])
    team.consent_locations.append(consent[1])
    team.ltsc_assignment_locations.append(xpath_of(performer))
    team.ltsc_assignments.append(
        {"staff_id": staff_id, "start": start, "end": end, "end_reason": None}
    )
    return True


def add_other(team: CareTeam, performer: Element, key: str, name: str, start, end) -> None:
    """A care team member as the document names them: role, organization, period."""
    function = role_code(performer)
    entity = first(performer, "hl7:assignedEntity")
    team.member_locations.append(xpath_of(performer))
    team.members.append(
        {
            "member_key": key[:64],
            "name": name or key,
            "role": coding(function),
            "role_text": (words(function) if function is not None else "") or "Care team member",
            "organization": text(first(entity, "hl7:representedOrganization/hl7:name")) or None,
            "start": start,
            "end": end,
        }
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
    cbo_id = member_id_of(org)
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


def complete(definition: str, entry: dict[str, Any]) -> bool:
    """Directory entries need contact details C-CDA leaves optional."""
    return not schema_errors(definition, entry)
