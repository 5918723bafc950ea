"""The members a user may see, as rows of the members page, and their plan's directory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from adapter.canonical import identifier_system
from adapter.errors import Gone, NotFound
from adapter.store import members
from adapter.webapp.fhir_view import human_name

MEMBER_ID_SYSTEM = identifier_system("plan-member-id")


@dataclass
class MemberRow:
    patient_id: str
    member_id: str
    name: str
    family: str
    birth_date: str


def member_rows(store: Any, patient_ids: Iterable[str]) -> list[MemberRow]:
    """One row per member, by family name; members no longer stored are left out."""
    rows = []
    for patient_id in patient_ids:
        patient = read_patient(store, patient_id)
        if patient is None:
            continue
        family = ((patient.get("name") or [{}])[0]).get("family", "")
        rows.append(
            MemberRow(
                patient_id,
                plan_member_id(patient) or "",
                human_name(patient),
                family,
                patient.get("birthDate", ""),
            )
        )
    return sorted(rows, key=lambda r: (r.family.lower(), r.name.lower()))


def read_patient(store: Any, patient_id: str) -> dict[str, Any] | None:
    try:
        return store.read("Patient", patient_id).resource
    except (NotFound, Gone):
        return None


def plan_member_id(patient: dict[str, Any]) -> str | None:
    """The plan's member id, which the member service knows the member by."""
    for identifier in patient.get("identifier") or []:
        if identifier.get("system") == MEMBER_ID_SYSTEM:
            return str(identifier.get("value"))
    return None


def plan_directory(store: Any, member_id: str) -> dict[str, Any]:
    """The directory (CBOs, staff, vendors) of the plan the member belongs to."""
    with store.reading() as conn:
        row = members.load_member(conn, member_id)
        plan = members.load_plan_export(conn, row.plan_id) if row else None
    return plan[1] if plan else {}
