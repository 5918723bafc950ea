"""Coded values (CD, PQ) of C-CDA as plan-record codings and quantities, code systems as URIs."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from adapter.records.ccda.document import Element, attr, first, referenced_text, text

# Code system OIDs used by C-CDA R2.1 and their FHIR canonical URIs; others become urn:oid:.
SYSTEMS = {
    "2.16.840.1.113883.6.1": "http://loinc.org",
    "2.16.840.1.113883.6.96": "http://snomed.info/sct",
    "2.16.840.1.113883.6.88": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "2.16.840.1.113883.6.12": "http://www.ama-assn.org/go/cpt",
    "2.16.840.1.113883.6.285": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "2.16.840.1.113883.6.90": "http://hl7.org/fhir/sid/icd-10-cm",
    "2.16.840.1.113883.6.101": "http://nucc.org/provider-taxonomy",
    "2.16.840.1.113883.6.8": "http://unitsofmeasure.org",
    "2.16.840.1.113883.5.88": "http://terminology.hl7.org/CodeSystem/v3-ParticipationFunction",
    "2.16.840.1.113883.5.111": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
    "2.16.840.1.113883.5.4": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "2.16.840.1.113883.12.443": "http://terminology.hl7.org/CodeSystem/v2-0443",
}


def system_uri(oid: str) -> str | None:
    if not oid:
        return None
    return SYSTEMS.get(oid) or f"urn:oid:{oid}"


def coding(cd: Element | None) -> dict[str, Any] | None:
    """A CD as {system, code, display}; None when it has no code (nullFlavor included)."""
    code = attr(cd, "code")
    if not code:
        return None
    return {
        "system": system_uri(attr(cd, "codeSystem")),
        "code": code,
        "display": attr(cd, "displayName") or None,
    }


def words(cd: Element | None) -> str:
    """The sender's words for a CD: originalText first (also under a nullFlavor), else display."""
    if cd is None:
        return ""
    original = first(cd, "hl7:originalText")
    if original is not None:
        own = referenced_text(original) or text(original)
        if own:
            return own
    return attr(cd, "displayName")


def quantity(pq: Element | None) -> dict[str, Any] | None:
    """A PQ as {value, unit}; None when absent, null-flavored or not a number."""
    raw = attr(pq, "value")
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    value: int | float = int(number) if number == number.to_integral_value() else float(number)
    return {"value": value, "unit": attr(pq, "unit") or "1"}
