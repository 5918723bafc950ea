"""Map one ADT message (A01/A03/A04/A05/A08) to member-record items (docs/architecture.md §1).

Item ids come from the message control id (MSH-10), so a resent message changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import hl7

from adapter.records.hl7v2 import errors as codes
from adapter.records.hl7v2.errors import AdtError
from adapter.records.hl7v2.fields import has_segment, hl7_date, home_address, repetitions, value
from adapter.records.hl7v2.tables import IDENTIFIER_SYSTEMS, identifier_kind, institution_type
from adapter.records.hl7v2.tables import tables as code_tables

SUPPORTED_TRIGGERS = ("A01", "A03", "A04", "A05", "A08")
Item = tuple[str, dict[str, Any]]
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_MAX_ID = 64


@dataclass(frozen=True)
class AdtEvent:
    """What one ADT message says about one member."""

    control_id: str
    trigger: str
    sender: str
    identifiers: list[tuple[str | None, str]]
    items: list[Item]
    home_address: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def read_adt(text: str, facilities: Mapping[str, dict[str, Any]] | None = None) -> AdtEvent:
    """Parse and map one message; AdtError (AR or AE) says why it cannot be used.

    `facilities` maps facility ids or names (PV1-3.4, upper case) to their addresses, which a
    facility stay needs as the member's temporary address (STATUS-SHARE).
    """
    message = parse_message(text)
    trigger = supported_trigger(message)
    control_id = required(message, "MSH", 10)
    sent_on = message_date(message)
    visit = Visit.of(message, sent_on, facilities or {})
    items, notes = BUILDERS[trigger](message, control_id, visit)
    items += death_items(message, control_id, sent_on)
    return AdtEvent(
        control_id=control_id,
        trigger=trigger,
        sender="^".join(v for v in (value(message, "MSH", 3), value(message, "MSH", 4)) if v),
        identifiers=member_identifiers(message),
        items=items,
        home_address=home_address(message),
        notes=notes,
    )


def parse_message(text: str) -> hl7.Message:
    if not hl7.ishl7(text):
        raise AdtError("AR", codes.UNSUPPORTED_MESSAGE_TYPE, "not an HL7 v2 message (no MSH)")
    try:
        return hl7.parse(text)
    except (hl7.ParseException, IndexError, ValueError) as exc:
        raise AdtError("AR", codes.DATA_TYPE_ERROR, f"unparseable HL7 v2 message: {exc}") from None


def supported_trigger(message: hl7.Message) -> str:
    kind, trigger = value(message, "MSH", 9, 1, 1).upper(), value(message, "MSH", 9, 1, 2).upper()
    if kind != "ADT":
        error = codes.UNSUPPORTED_MESSAGE_TYPE
        raise AdtError("AR", error, f"message type {kind or '(none)'} is not accepted", "MSH-9")
    if trigger not in SUPPORTED_TRIGGERS:
        known = "/".join(SUPPORTED_TRIGGERS)
        message_text = f"ADT event {trigger or '(none)'} is not accepted (only {known})"
        raise AdtError("AR", codes.UNSUPPORTED_EVENT_CODE, message_text, "MSH-9")
    if not has_segment(message, "PID"):
        raise AdtError("AE", codes.REQUIRED_FIELD_MISSING, "the PID segment is missing", "PID")
    return trigger


def message_date(message: hl7.Message) -> date:
    """MSH-7, the date every event falls back to when the sender gives no better one."""
    sent_on = hl7_date(required(message, "MSH", 7), "MSH-7")
    if sent_on is None:
        raise AdtError("AE", codes.REQUIRED_FIELD_MISSING, "MSH-7 is empty", "MSH-7")
    return sent_on


def required(message: hl7.Message, segment: str, position: int) -> str:
    text = value(message, segment, position)
    if not text:
        location = f"{segment}-{position}"
        raise AdtError("AE", codes.REQUIRED_FIELD_MISSING, f"{location} is empty", location)
    return text


def member_identifiers(message: hl7.Message) -> list[tuple[str | None, str]]:
    """PID-3 identifiers that name a plan member id or MassHealth id; other ids are not ours."""
    found = []
    for rep in range(1, repetitions(message, "PID", 3) + 1):
        number = value(message, "PID", 3, rep, 1)
        authority = value(message, "PID", 3, rep, 4, 1)
        universal = value(message, "PID", 3, rep, 4, 2)
        kind = identifier_kind(authority, universal, value(message, "PID", 3, rep, 5))
        if number and kind:
            found.append((IDENTIFIER_SYSTEMS[kind], number))
    if not any(value(message, "PID", 3, rep, 1) for rep in range(1, 3)):
        raise AdtError("AE", codes.REQUIRED_FIELD_MISSING, "PID-3 has no identifier", "PID-3")
    return found


@dataclass(frozen=True)
class Visit:
    """The PV1/PV2 facts every builder needs, with dates already checked."""

    facility_name: str | None
    facility_address: dict[str, Any] | None
    institution: str | None
    admitted_on: date
    discharged_on: date
    expected_on: date | None
    sent_on: date

    @classmethod
    def of(
        cls, message: hl7.Message, sent_on: date, facilities: Mapping[str, dict[str, Any]]
    ) -> Visit:
        occurred = hl7_date(value(message, "EVN", 6), "EVN-6") or sent_on
        facility = value(message, "PV1", 3, 1, 4) or value(message, "MSH", 4)
        return cls(
            facility_name=facility or None,
            facility_address=facilities.get(facility.upper()),
            institution=institution_of(message),
            admitted_on=hl7_date(value(message, "PV1", 44), "PV1-44") or occurred,
            discharged_on=hl7_date(value(message, "PV1", 45), "PV1-45") or occurred,
            expected_on=hl7_date(value(message, "PV2", 8), "PV2-8"),
            sent_on=sent_on,
        )


def institution_of(message: hl7.Message) -> str | None:
    """AVAIL-INSTITUTION facility type from PV1 class, hospital service, location and type."""
    if value(message, "PV1", 2).upper() in code_tables()["non_institutional_classes"]:
        return None
    candidates = [
        value(message, "PV1", 10),
        value(message, "PV1", 3, 1, 1),
        value(message, "PV1", 3, 1, 6),
        value(message, "PV1", 18),
    ]
    return institution_type(candidates)


def item_id(control_id: str, suffix: str = "") -> str:
    """A plan-export id from MSH-10, hashed when the sender's id is too long or unsafe."""
    candidate = f"ADT-{control_id}{suffix}"
    if len(candidate) <= _MAX_ID and not _ID_UNSAFE.search(candidate):
        return candidate
    digest = hashlib.sha256(control_id.encode("utf-8")).hexdigest()[:32]
    return f"ADT-{digest}{suffix}"


def status_event(event_id: str, kind: str, day: date, description: str, **extra: Any) -> Item:
    item = {
        "event_id": event_id,
        "type": kind,
        "date": day.isoformat(),
        "reported_by": None,
        "description": description,
        "facility_name": None,
        "address": None,
    }
    return "status_events", item | extra


def is_facility_stay(visit: Visit) -> bool:
    """STATUS-SHARE: a skilled nursing or rehab stay is a facility stay, else a hospitalization."""
    return visit.institution in code_tables()["facility_stay_types"]


def admission_items(message: hl7.Message, control_id: str, visit: Visit) -> tuple[list, list]:
    where = visit.facility_name or "a facility"
    event_id, day = item_id(control_id), visit.admitted_on
    if is_facility_stay(visit) and visit.facility_address:
        description = f"admitted to {where} for a short stay (ADT A01)"
        stay = status_event(event_id, "facility-stay", day, description, facility_name=where)
        return [(stay[0], stay[1] | {"address": dict(visit.facility_address)})], []
    notes = []
    if is_facility_stay(visit):
        # Without the facility's address the stay cannot become a temporary address.
        notes.append(f"address of {where} unknown: recorded as a hospitalization")
    description = f"admitted to {where} (ADT A01)"
    return [status_event(event_id, "hospitalization", day, description, facility_name=where)], notes


def discharge_items(message: hl7.Message, control_id: str, visit: Visit) -> tuple[list, list]:
    where = visit.facility_name or "a facility"
    description = f"discharged from {where} (ADT A03)"
    event = status_event(
        item_id(control_id),
        "hospitalization",
        visit.discharged_on,
        description,
        facility_name=where,
    )
    return [event], []


def preadmission_items(message: hl7.Message, control_id: str, visit: Visit) -> tuple[list, list]:
    """AVAIL-INSTITUTION: a contemplated admission to an institution calls for an LTS-C offer."""
    if visit.institution is None:
        return [], ["pre-admission is not to an institution; nothing recorded"]
    admission = {
        "admission_id": item_id(control_id),
        "facility_type": visit.institution,
        "facility_name": visit.facility_name,
        "expected_date": (visit.expected_on or visit.sent_on).isoformat(),
        "identified_on": visit.sent_on.isoformat(),
    }
    return [("institutional_admissions", admission)], []


def address_items(message: hl7.Message, control_id: str, visit: Visit) -> tuple[list, list]:
    """STATUS-SHARE: a new home address; the intake drops it when the member already has it."""
    address = home_address(message)
    if address is None:
        return [], []
    description = "address changed (ADT registration/update)"
    event = status_event(
        item_id(control_id, "-address"), "address-change", visit.sent_on, description
    )
    return [(event[0], event[1] | {"address": address})], []


def death_items(message: hl7.Message, control_id: str, sent_on: date) -> list[Item]:
    """STATUS-SHARE: PID-30 death indicator, dated by PID-29 when the sender gives it."""
    if value(message, "PID", 30).upper() != "Y":
        return []
    died_on = hl7_date(value(message, "PID", 29), "PID-29") or sent_on
    description = "death reported (PID-30)"
    return [status_event(item_id(control_id, "-death"), "death", died_on, description)]


Builder = Callable[[hl7.Message, str, Visit], tuple[list, list]]
BUILDERS: dict[str, Builder] = {
    "A01": admission_items,
    "A03": discharge_items,
    "A04": address_items,
    "A05": preadmission_items,
    "A08": address_items,
}
