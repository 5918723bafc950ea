"""read_ccda: one C-CDA Care Plan or CCD as a one-member plan export, located by XPath."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from adapter.records.assemble import RawExport, RawMember
from adapter.records.ccda import care_team as team_part
from adapter.records.ccda import plan_sections as sections
from adapter.records.ccda.document import (
    CcdaError,
    Element,
    attr,
    find,
    first,
    hl7_date,
    parse_document,
    text,
    xpath_of,
)
from adapter.records.ccda.patient import address, member, member_ids, patient_role, telecom
from adapter.records.model import RecordError
from adapter.records.schema import RecordPath

log = logging.getLogger(__name__)
DOCUMENT = "/hl7:ClinicalDocument"
AuthorRole = Callable[[Element], str | None]


@dataclass
class CcdaRead:
    """The reader's output plus information notes (ignored sections, unmapped entries)."""

    raw: RawExport
    notes: list[RecordError] = field(default_factory=list)


def read_ccda(path: Path) -> RawExport:
    """The plan-export reader for C-CDA files; notes go to the log at INFO."""
    result = read_ccda_document(path)
    for note in result.notes:
        log.info("%s", note)
    return result.raw


def read_ccda_document(path: Path) -> CcdaRead:
    file = str(path)
    where: dict[str, Any] = {}
    raw = RawExport(file, None, lambda p: (file, locate(where, p)))
    try:
        root = parse_document(path.read_bytes())
        header, record, notes = plan_export(root, where)
    except OSError as exc:
        raw.errors.append(RecordError(file, "", "", f"cannot read the file: {exc.strerror}"))
        return CcdaRead(raw)
    except CcdaError as exc:
        raw.errors.append(RecordError(file, exc.location, "", exc.message))
        return CcdaRead(raw)
    raw.header = header
    raw.members = [RawMember(record, lambda p: (file, locate(where, p)))]
    return CcdaRead(raw, [RecordError(file, x, "", message) for x, message in notes])


def locate(where: dict[str, Any], path: RecordPath) -> str:
    """The XPath of the element a record path came from (the entry, else its nearest parent)."""
    if not path:
        return DOCUMENT
    found = where.get(str(path[0]))
    if isinstance(found, dict) and len(path) > 1:
        found = found.get(str(path[1]))
        path = path[1:]
    if isinstance(found, list):
        index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
        return found[index] if index is not None and index < len(found) else DOCUMENT
    return found if isinstance(found, str) else DOCUMENT


def plan_export(root: Element, where: dict[str, Any]) -> tuple[dict, dict, list]:
    """(header, member record, notes); `where` is filled with the XPath behind each part."""
    as_of = hl7_date(first(root, "hl7:effectiveTime"))
    if as_of is None:
        raise CcdaError(xpath_of(root), "the document has no effectiveTime")
    role = patient_role(root)
    export = export_header(root)
    person = member(role, as_of)
    team = team_part.care_team(root, as_of, home_county(person))
    author_role = author_role_for(role, team)
    record, notes = member_record(root, person, team, as_of, author_role, export, where)
    where["member"] = xpath_of(role)
    custodian = first(root, "hl7:custodian")
    where["export"] = xpath_of(custodian if custodian is not None else root)
    where["directory"] = {
        k: team.locations_of(k) for k in ("cbos", "ltsc_staff", "care_coordinators")
    }
    return {"export": export, "directory": directory(team)}, record, notes


def member_record(
    root: Element,
    person: dict[str, Any],
    team: team_part.CareTeam,
    as_of: date,
    author_role: AuthorRole,
    export: dict[str, Any],
    where: dict[str, Any],
) -> tuple[dict[str, Any], list[sections.Note]]:
    """The member record and its notes; `where` gets each list's entry XPaths."""
    enrollments = sections.enrollments(root, export["plan"]["plan_id"])
    goals = sections.goals(root, as_of, author_role)
    services, service_notes = sections.service_recommendations(root, as_of, recommender_for(team))
    needs, need_notes = sections.ltss_needs(root, as_of, author_role)
    located = {
        "enrollments": enrollments,
        "goals": goals,
        "service_recommendations": services,
        "ltss_needs": needs,
    }
    for kind, items in located.items():
        where[kind] = [x for _, x in items]
    where["care_coordinator_assignments"] = team.locations_of("care_coordinators")
    where["ltsc_assignments"] = team.ltsc_assignment_locations
    where["consents"] = team.consent_locations
    record = {
        "member": person,
        **{k: [i for i, _ in v] for k, v in located.items()},
        "care_coordinator_assignments": team.cc_assignments,
        "ltsc_assignments": team.ltsc_assignments,
        "consents": team.consents,
    }
    notes = sections.unknown_sections(root) + team.notes + service_notes + need_notes
    return record, notes


def export_header(root: Element) -> dict[str, Any]:
    """The plan from the custodian organization; the clock from the document's effectiveTime."""
    org = first(root, "hl7:custodian/hl7:assignedCustodian/hl7:representedCustodianOrganization")
    if org is None:
        raise CcdaError(xpath_of(root), "custodian organization (the plan) is missing")
    phones = [t["value"] for t in (telecom(e) for e in find(org, "hl7:telecom")) if t]
    plan = {
        "plan_id": attr(first(org, "hl7:id"), "extension"),
        "name": text(first(org, "hl7:name")),
        "phone": phones[0] if phones else None,
        "address": next((a for a in (address(e) for e in find(org, "hl7:addr")) if a), None),
    }
    software = first(root, "hl7:author/hl7:assignedAuthor/hl7:assignedAuthoringDevice")
    return {
        "format_version": "1.0",
        "plan": plan,
        "generated_at": instant(first(root, "hl7:effectiveTime")),
        "source_system": text(first(software, "hl7:softwareName"))
        if software is not None
        else "C-CDA",
    }


def instant(element: Element | None) -> str:
    """An HL7 TS as ISO 8601 with an offset (UTC when the sender gave none)."""
    raw = attr(element, "value")
    day = hl7_date(element)
    clock = raw[8:14].ljust(6, "0") if raw[8:14].isdigit() else "000000"
    zone = raw[14:] if len(raw) > 14 and raw[14] in "+-" else ""
    offset = f"{zone[:3]}:{zone[3:5]}" if len(zone) == 5 else "Z"
    return f"{day}T{clock[:2]}:{clock[2:4]}:{clock[4:6]}{offset}"


def home_county(person: dict[str, Any]) -> str | None:
    homes = [a for a in person["addresses"] if a["kind"] == "home" and a.get("county")]
    return homes[0]["county"] if homes else None


def directory(team: team_part.CareTeam) -> dict[str, list]:
    return {
        "cbos": team.cbos,
        "ltsc_staff": team.ltsc_staff,
        "care_coordinators": team.care_coordinators,
        "vendors": [],
    }


def author_id(element: Element) -> str:
    return attr(first(element, "hl7:author/hl7:assignedAuthor/hl7:id"), "extension")


def author_role_for(role: Element, team: team_part.CareTeam) -> AuthorRole:
    """Who wrote an entry: the member (their own id), an LTS-C or CC of the team, else None."""
    patient_ids = set(member_ids(role)) - {""}

    def author_role(element: Element) -> str | None:
        author = author_id(element)
        if author and author in patient_ids:
            return "member"
        return team.role_of(author) if author else None

    return author_role


def recommender_for(team: team_part.CareTeam) -> AuthorRole:
    """RECOMMEND: the LTS-C who authored the entry, else the member's LTS-C, else nobody."""
    current = [a["staff_id"] for a in team.ltsc_assignments if a["end"] is None]

    def recommender(element: Element) -> str | None:
        author = author_id(element)
        if author and team.role_of(author) == "ltsc":
            return author
        return current[0] if current else None

    return recommender
