"""A member's Patient and plan member id, and their plan's directory."""

from __future__ import annotations

from typing import Any

from adapter.canonical import identifier_system
from adapter.errors import Gone, NotFound
from adapter.store import members

MEMBER_ID_SYSTEM = identifier_system("plan-member-id")


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
