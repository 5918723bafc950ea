"""read_ccda: one C-CDA Care Plan, CCD, Referral Note or Transfer Summary as member items.

`read_document` gives what the document carries (a partial plan record, its directory entries,
the ledger of unmapped entries); `read_ccda` makes it a one-member plan export for
`read_exports`, refusing with a clear message what the document lacks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from adapter.records.assemble import RawExport, RawMember
from adapter.records.ccda import care_team as team_part
from adapter.records.ccda import plan_sections as sections
from adapter.records.ccda.care_team import display_name
from adapter.records.ccda.doctypes import DocumentType, document_type
from adapter.records.ccda.document import (
    CcdaError,
    Element,
    attr,
    find,
    first,
    hl7_stamp,
    parse_document,
    text,
    xpath_of,
)
from adapter.records.ccda.ledger import Ledger, Unmapped
from adapter.records.ccda.patient import address, member, member_ids, patient_role, telecom
from adapter.records.ccda.tables import tables
from adapter.records.model import RecordError
from adapter.records.schema import RecordPath

log = logging.getLogger(__name__)
DOCUMENT = "/hl7:ClinicalDocument"
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


@dataclass
class CcdaDocument:
    """What one document carries, located by XPath; `record` may lack what the store fills."""

    source: str
    kind: DocumentType
    document_id: str
    generated_at: str
    header: dict[str, Any]
    directory: dict[str, list]
    record: dict[str, Any]
    where: dict[str, Any]
    ledger: Ledger

    @property
    def unmapped(self) -> list[Unmapped]:
        return self.ledger.unmapped

    def locate(self, path: RecordPath) -> tuple[str, str]:
        return self.source, locate(self.where, path)


@dataclass
class CcdaRead:
    """The reader's output for read_exports plus information notes (unmapped entries)."""

    raw: RawExport
    notes: list[RecordError] = field(default_factory=list)
    document: CcdaDocument | None = None


def read_document(data: bytes, source: str) -> CcdaDocument:
    """The document's contents; CcdaError (located) when it cannot be read at all."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CcdaError("/", f"document larger than {MAX_DOCUMENT_BYTES} bytes is refused")
    root = parse_document(data)
    kind = document_type(root)
    ledger = Ledger()
    where: dict[str, Any] = {}
    header, directory, record = plan_parts(root, where, ledger)
    ledger.sweep(root)
    ident = first(root, "hl7:id")
    return CcdaDocument(
        source,
        kind,
        attr(ident, "extension") or attr(ident, "root"),
        header["generated_at"],
        header,
        directory,
        record,
        where,
        ledger,
    )


def read_ccda(path: Path) -> RawExport:
    """The plan-export reader for C-CDA files; unmapped entries go to the log at INFO."""
    result = read_ccda_document(path)
    for note in result.notes:
        log.info("%s", note)
    return result.raw


def read_ccda_document(path: Path) -> CcdaRead:
    """One document as a one-member plan export; what it lacks is refused by name."""
    file = str(path)
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise CcdaError("/", f"document larger than {MAX_DOCUMENT_BYTES} bytes is refused")
        document = read_document(path.read_bytes(), file)
    except OSError as exc:
        raw = RawExport(file, None, lambda p: (file, DOCUMENT))
        raw.errors.append(RecordError(file, "", "", f"cannot read the file: {exc.strerror}"))
        return CcdaRead(raw)
    except CcdaError as exc:
        raw = RawExport(file, None, lambda p: (file, DOCUMENT))
        raw.errors.append(RecordError(file, exc.location, "", exc.message))
        return CcdaRead(raw)
    raw = RawExport(file, None, document.locate, plan_export=False)
    notes = [RecordError(file, u.xpath, u.template, u.reason) for u in document.unmapped]
    gaps = missing_parts(document)
    if gaps:
        raw.errors.extend(RecordError(file, x, f, m) for x, f, m in gaps)
        return CcdaRead(raw, notes, document)
    raw.header = {"export": document.header, "directory": document.directory}
    raw.members = [RawMember(document.record, document.locate)]
    return CcdaRead(raw, notes, document)


def missing_parts(document: CcdaDocument) -> list[tuple[str, str, str]]:
    """What a document read on its own lacks to be a plan record: (XPath, field, message)."""
    later = "; a document about a known member is completed from its stored record"
    where, record, plan = document.where, document.record, document.header["plan"]
    patient = where.get("member", DOCUMENT)
    gaps = []
    person = record["member"]
    if not person["member_id"]:
        roots = ", ".join(map(str, tables()["member_id_roots"]))
        gaps.append(
            (patient, "member.member_id", f"no patientRole/id with a plan member id root ({roots})")
        )
    if not person["masshealth_id"]:
        roots = ", ".join(map(str, tables()["masshealth_id_roots"]))
        gaps.append(
            (
                patient,
                "member.masshealth_id",
                f"no patientRole/id with a MassHealth id root ({roots}){later}",
            )
        )
    for name, words in (
        ("name", "patient/name with given and family"),
        ("birth_date", "patient/birthTime"),
    ):
        if not person[name]:
            gaps.append((patient, f"member.{name}", f"no {words}{later}"))
    if not plan["plan_id"] or not plan["name"] or not plan["phone"]:
        gaps.append(
            (
                where.get("export", DOCUMENT),
                "export.plan",
                "custodian organization (the plan) needs an id extension, a name and a phone"
                + later,
            )
        )
    if not record["enrollments"]:
        gaps.append(
            (
                DOCUMENT,
                "enrollments",
                "no Payers section Policy Activity (the member's enrollment)" + later,
            )
        )
    for n, item in enumerate(record["enrollments"]):
        at = where["enrollments"][n]
        if not item["start"]:
            gaps.append(
                (at, f"enrollments[{n}].start", "policy activity without effectiveTime/low" + later)
            )
        if not item["rating_category"]:
            gaps.append(
                (
                    at,
                    f"enrollments[{n}].rating_category",
                    "no rating category observation in the policy activity" + later,
                )
            )
    return gaps


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


def plan_parts(root: Element, where: dict[str, Any], ledger: Ledger) -> tuple[dict, dict, dict]:
    """(export header, directory, member record); `where` gets the XPath behind each part."""
    stamp = hl7_stamp(first(root, "hl7:effectiveTime"))
    if stamp is None:
        raise CcdaError(xpath_of(root), "the document has no effectiveTime")
    as_of = stamp.day
    role = patient_role(root)
    export = export_header(root, stamp.instant())
    person = member(role, as_of, ledger)
    team = team_part.care_team(root, as_of, home_county(person), ledger)
    author_of = authors(root, role, team)
    plan_id = export["plan"]["plan_id"]
    enrollments = sections.enrollments(root, plan_id, ledger)
    goals = sections.goals(root, as_of, author_of, ledger)
    services, activities = sections.planned_care(
        root, as_of, recommender_for(team), author_of, ledger
    )
    needs = sections.ltss_needs(root, as_of, author_of, ledger)
    located = {
        "enrollments": enrollments,
        "goals": goals,
        "service_recommendations": services,
        "planned_activities": activities,
        "ltss_needs": needs,
    }
    for kind, items in located.items():
        where[kind] = [x for _, x in items]
    where["care_coordinator_assignments"] = team.locations_of("care_coordinators")
    where["ltsc_assignments"] = team.ltsc_assignment_locations
    where["consents"] = team.consent_locations
    where["care_team_members"] = team.member_locations
    where["member"] = xpath_of(role)
    custodian = first(root, "hl7:custodian")
    where["export"] = xpath_of(custodian if custodian is not None else root)
    where["directory"] = {
        k: team.locations_of(k) for k in ("cbos", "ltsc_staff", "care_coordinators")
    }
    record = {
        "member": person,
        **{k: [i for i, _ in v] for k, v in located.items()},
        "care_coordinator_assignments": team.cc_assignments,
        "ltsc_assignments": team.ltsc_assignments,
        "consents": team.consents,
        "care_team_members": team.members,
    }
    return export, directory(team), record


def export_header(root: Element, generated_at: str) -> dict[str, Any]:
    """The plan from the custodian organization; the clock from the document's effectiveTime."""
    org = first(root, "hl7:custodian/hl7:assignedCustodian/hl7:representedCustodianOrganization")
    phones = (
        [t["value"] for t in (telecom(e) for e in find(org, "hl7:telecom")) if t]
        if org is not None
        else []
    )
    plan = {
        "plan_id": attr(first(org, "hl7:id"), "extension") if org is not None else "",
        "name": text(first(org, "hl7:name")) if org is not None else "",
        "phone": phones[0] if phones else None,
        "address": next((a for a in (address(e) for e in find(org, "hl7:addr")) if a), None)
        if org is not None
        else None,
    }
    software = first(root, "hl7:author/hl7:assignedAuthor/hl7:assignedAuthoringDevice")
    return {
        "format_version": "1.0",
        "plan": plan,
        "generated_at": generated_at,
        "source_system": (text(first(software, "hl7:softwareName")) if software is not None else "")
        or "C-CDA",
    }


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


def author_entity(element: Element) -> Element | None:
    return first(element, "hl7:author/hl7:assignedAuthor")


def id_keys(entity: Element | None) -> set[str]:
    if entity is None:
        return set()
    return {
        f"{attr(i, 'root')}|{attr(i, 'extension')}"
        for i in find(entity, "hl7:id")
        if attr(i, "root")
    }


def authors(root: Element, role: Element, team: team_part.CareTeam) -> sections.AuthorOf:
    """Who wrote an entry: the member (a patient id), a team CC or LTS-C, else the person named
    by the author or, for an author given by id only, by the document's header or team."""
    patient_ids = id_keys(role)
    named: dict[str, str] = {}
    people = find(root, "//hl7:assignedAuthor | //hl7:assignedEntity")
    for entity in people:
        name = display_name(entity) if first(entity, "hl7:assignedPerson") is not None else ""
        for key in id_keys(entity):
            if name:
                named.setdefault(key, name)

    def author_of(element: Element) -> sections.Author:
        entity = author_entity(element)
        if entity is None:
            return sections.Author(None)
        keys = id_keys(entity)
        extension = next(
            (attr(i, "extension") for i in find(entity, "hl7:id") if attr(i, "extension")), ""
        )
        if keys & patient_ids or (extension and extension in set(member_ids(role)) - {""}):
            return sections.Author("member")
        role_name = team.role_of(extension) if extension else None
        name = display_name(entity) or next((named[k] for k in keys if k in named), None)
        if role_name:
            return sections.Author(role_name, extension, name or team.names.get(extension))
        if first(entity, "hl7:assignedAuthoringDevice") is not None and not name:
            return sections.Author(None)
        return sections.Author("care-team", None, name or "Care team member")

    return author_of


def recommender_for(team: team_part.CareTeam):
    """RECOMMEND: the LTS-C who authored the entry, else the member's LTS-C, else nobody."""
    current = [a["staff_id"] for a in team.ltsc_assignments if a["end"] is None]

    def recommender(element: Element) -> str | None:
        entity = author_entity(element)
        ident = first(entity, "hl7:id") if entity is not None else None
        author = attr(ident, "extension")
        if author and team.role_of(author) == "ltsc":
            return author
        return current[0] if current else None

    return recommender


def as_of_day(document: CcdaDocument) -> date:
    return date.fromisoformat(document.generated_at[:10])
