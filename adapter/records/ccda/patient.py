"""The member from recordTarget/patientRole: ids, name, birth date, gender, addresses, telecom."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from adapter.records.ccda.document import (
    CcdaError,
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
from adapter.records.ccda.tables import tables

GENDERS = {"F": "female", "M": "male", "UN": "other"}
PHONE = re.compile(r"^\+?[0-9(][0-9 ().-]{6,}[0-9]( x[0-9]{1,6})?$")
EMAIL = re.compile(r"^[^@\s|]+@[^@\s|]+\.[^@\s|]+$")
TELECOM_USES = {"HP": "home", "H": "home", "WP": "work", "MC": "mobile", "TMP": "temp"}
ADDRESS_KINDS = {"HP": "home", "H": "home", "PST": "mailing", "TMP": "temporary-facility"}


def patient_role(root: Element) -> Element:
    role = first(root, "hl7:recordTarget/hl7:patientRole")
    if role is None:
        raise CcdaError(xpath_of(root), "recordTarget/patientRole is missing")
    return role


def member_ids(role: Element) -> tuple[str, str]:
    """(plan member id, MassHealth id) by their id roots (ccda.yaml); empty when absent."""
    found = {"member": "", "masshealth": ""}
    for element in find(role, "hl7:id"):
        root = attr(element, "root")
        if root in id_roots("member_id_roots") and not found["member"]:
            found["member"] = attr(element, "extension")
        elif root in id_roots("masshealth_id_roots") and not found["masshealth"]:
            found["masshealth"] = attr(element, "extension")
    return found["member"], found["masshealth"]


def id_roots(name: str) -> list[str]:
    return [str(r) for r in tables().get(name) or []]


def member(role: Element, as_of: date, ledger: Ledger) -> dict[str, Any]:
    """The plan-export `member` object as far as the document carries it.

    What is absent stays empty (a partial record the member's stored record completes):
    member and MassHealth ids "", name and birth date None.
    """
    patient = first(role, "hl7:patient")
    member_id, masshealth_id = member_ids(role)
    gender = first(patient, "hl7:administrativeGenderCode") if patient is not None else None
    telecoms = []
    for element in find(role, "hl7:telecom"):
        found = telecom(element)
        if found is None and attr(element, "value"):
            ledger.noted(element, f"telecom {attr(element, 'value')!r} is not a phone or email")
        elif found is not None:
            telecoms.append(found)
    return {
        "member_id": member_id,
        "masshealth_id": masshealth_id,
        "name": person_name(first(patient, "hl7:name")) if patient is not None else None,
        "birth_date": iso(hl7_date(first(patient, "hl7:birthTime")))
        if patient is not None
        else None,
        "gender": GENDERS.get(attr(gender, "code"), "unknown"),
        "addresses": [a for a in (member_address(e, as_of) for e in find(role, "hl7:addr")) if a],
        "telecom": telecoms,
        "preferred_language": preferred_language(patient) if patient is not None else None,
        "date_of_death": iso(hl7_date(first(patient, "sdtc:deceasedTime")))
        if patient is not None
        else None,
    }


def person_name(name: Element | None) -> dict[str, Any] | None:
    """given and family names; None when null-flavored or without a family or given name."""
    if name is None or name.get("nullFlavor"):
        return None
    given = [text(g) for g in find(name, "hl7:given") if text(g)]
    family = text(first(name, "hl7:family"))
    if not given or not family:
        return None
    return {"given": given, "family": family}


def address(addr: Element) -> dict[str, Any] | None:
    """A plan-export address, None when null-flavored or without street and city."""
    lines = [text(e) for e in find(addr, "hl7:streetAddressLine") if text(e)]
    city = text(first(addr, "hl7:city"))
    if addr.get("nullFlavor") or not lines or not city:
        return None
    return {
        "line": lines,
        "city": city,
        "county": text(first(addr, "hl7:county")) or None,
        "state": text(first(addr, "hl7:state")).upper(),
        "postal_code": text(first(addr, "hl7:postalCode")),
    }


def member_address(addr: Element, as_of: date) -> dict[str, Any] | None:
    found = address(addr)
    if found is None:
        return None
    start = hl7_date(first(addr, "hl7:useablePeriod/hl7:low")) or as_of
    end = hl7_date(first(addr, "hl7:useablePeriod/hl7:high"))
    kind = ADDRESS_KINDS.get((addr.get("use") or "HP").split()[0], "home")
    period = {"start": start.isoformat(), "end": iso(end)}
    return {"kind": kind, **found, "facility_name": None, "period": period}


def telecom(element: Element) -> dict[str, Any] | None:
    """tel: and mailto: URLs as plan-export telecom; None when null-flavored or neither."""
    value = attr(element, "value")
    use = TELECOM_USES.get((element.get("use") or "").split(" ")[0])
    scheme, _, rest = value.partition(":")
    rest = rest.strip().removeprefix("//")
    if scheme.lower() == "tel" and rest:
        number = rest.split(";")[0].strip().removeprefix("+1-").removeprefix("+1 ")
        return {"system": "phone", "value": number, "use": use} if PHONE.match(number) else None
    if scheme.lower() == "mailto" and EMAIL.match(rest):
        return {"system": "email", "value": rest, "use": use}
    return None


def preferred_language(patient: Element) -> str | None:
    languages = find(patient, "hl7:languageCommunication")
    preferred = [c for c in languages if attr(first(c, "hl7:preferenceInd"), "value") == "true"]
    chosen = (preferred or languages or [None])[0]
    code = attr(first(chosen, "hl7:languageCode"), "code") if chosen is not None else ""
    return code or None
