"""The member from recordTarget/patientRole: ids, name, birth date, gender, addresses, telecom."""

from __future__ import annotations

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
from adapter.records.ccda.tables import tables

GENDERS = {"F": "female", "M": "male", "UN": "other"}
TELECOM_USES = {"HP": "home", "H": "home", "WP": "work", "MC": "mobile", "TMP": "temp"}
ADDRESS_KINDS = {"HP": "home", "H": "home", "PST": "mailing", "TMP": "temporary-facility"}


def patient_role(root: Element) -> Element:
    role = first(root, "hl7:recordTarget/hl7:patientRole")
    if role is None:
        raise CcdaError(xpath_of(root), "recordTarget/patientRole is missing")
    return role


def member_ids(role: Element) -> tuple[str, str]:
    """(plan member id, MassHealth id) by their id roots (ccda.yaml)."""
    found = {"member": "", "masshealth": ""}
    for element in find(role, "hl7:id"):
        root = attr(element, "root")
        if root in tables()["member_id_roots"]:
            found["member"] = attr(element, "extension")
        elif root in tables()["masshealth_id_roots"]:
            found["masshealth"] = attr(element, "extension")
    if not found["member"]:
        roots = ", ".join(tables()["member_id_roots"])
        raise CcdaError(xpath_of(role), f"no patientRole/id with a plan member id root ({roots})")
    return found["member"], found["masshealth"]


def member(role: Element, as_of: date) -> dict[str, Any]:
    """The plan-export `member` object; optional parts absent or null-flavored are left out."""
    patient = first(role, "hl7:patient")
    if patient is None:
        raise CcdaError(xpath_of(role), "patientRole/patient is missing")
    member_id, masshealth_id = member_ids(role)
    gender = first(patient, "hl7:administrativeGenderCode")
    return {
        "member_id": member_id,
        "masshealth_id": masshealth_id,
        "name": person_name(first(patient, "hl7:name")),
        "birth_date": iso(hl7_date(first(patient, "hl7:birthTime"))),
        "gender": GENDERS.get(attr(gender, "code"), "unknown"),
        "addresses": [a for a in (member_address(e, as_of) for e in find(role, "hl7:addr")) if a],
        "telecom": [t for t in (telecom(e) for e in find(role, "hl7:telecom")) if t],
        "preferred_language": preferred_language(patient),
        "date_of_death": iso(hl7_date(first(patient, "sdtc:deceasedTime"))),
    }


def person_name(name: Element | None) -> dict[str, Any] | None:
    if name is None or name.get("nullFlavor"):
        return None
    given = [text(g) for g in find(name, "hl7:given") if text(g)]
    return {"given": given, "family": text(first(name, "hl7:family"))}


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
    """tel: and mailto: URLs as plan-export telecom; null-flavored ones are skipped."""
    value = attr(element, "value")
    use = TELECOM_USES.get((element.get("use") or "").split(" ")[0])
    if value.startswith("tel:"):
        return {"system": "phone", "value": value[4:].removeprefix("+1-"), "use": use}
    if value.startswith("mailto:"):
        return {"system": "email", "value": value[7:], "use": use}
    return None


def preferred_language(patient: Element) -> str | None:
    languages = find(patient, "hl7:languageCommunication")
    preferred = [c for c in languages if attr(first(c, "hl7:preferenceInd"), "value") == "true"]
    chosen = (preferred or languages or [None])[0]
    code = attr(first(chosen, "hl7:languageCode"), "code") if chosen is not None else ""
    return code or None
