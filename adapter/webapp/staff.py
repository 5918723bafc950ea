"""A coordinator's own contact details and time off (CONTACT, STAFFING), kept in the plan's
directory and re-published through the member service to every care team they are on."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapter.outcome import Issue
from adapter.records.schema import field_path, schema_errors
from adapter.security.compartments import role_reference
from adapter.services import MemberService
from adapter.store import members
from adapter.webapp.access import search_all
from adapter.webapp.actions import FormError, is_date
from adapter.webapp.members import plan_member_id, read_patient

Record = dict[str, Any]
# Directory list -> the plan-export schema definition of its entries.
STAFF_LISTS = {"ltsc_staff": "ltsc_staff", "care_coordinators": "care_coordinator"}


@dataclass
class PlanStaff:
    """One plan's directory entry for the person, and the member records that name them."""

    plan_id: str
    header: Record
    directory: Record
    list_name: str
    entry: Record
    records: list[Record]


def own_entries(store: Any, staff_id: str) -> list[PlanStaff]:
    """The person's entry in each plan they serve members of (through their care teams)."""
    found: dict[str, PlanStaff] = {}
    for member_id in _team_member_ids(store, staff_id):
        with store.reading() as conn:
            row = members.load_member(conn, member_id)
            plan = members.load_plan_export(conn, row.plan_id) if row else None
        if row is None or plan is None:
            continue
        if row.plan_id not in found:
            located = _locate(plan[1], staff_id)
            if located is None:
                continue
            found[row.plan_id] = PlanStaff(row.plan_id, plan[0], plan[1], *located, records=[])
        found[row.plan_id].records.append(row.record)
    return list(found.values())


def _team_member_ids(store: Any, staff_id: str) -> list[str]:
    teams = search_all(store, "CareTeam", [("participant", role_reference(staff_id))])
    ids = []
    for team in teams:
        subject = (team.get("subject") or {}).get("reference", "")
        patient = read_patient(store, subject.removeprefix("Patient/"))
        member_id = plan_member_id(patient) if patient else None
        if member_id:
            ids.append(member_id)
    return sorted(set(ids))


def _locate(directory: Record, staff_id: str) -> tuple[str, Record] | None:
    for list_name in STAFF_LISTS:
        for entry in directory.get(list_name) or []:
            if entry.get("staff_id") == staff_id:
                return list_name, entry
    return None


def updated_entry(entry: Record, list_name: str, form: Mapping[str, str]) -> Record:
    """The directory entry with the form's contact details, time off removed and added."""
    updated = copy.deepcopy(entry)
    updated["phone"] = (form.get("phone") or "").strip()
    updated["email"] = (form.get("email") or "").strip()
    updated["schedule"] = (form.get("schedule") or "").strip() or None
    removed = set(form.getlist("remove_time_off")) if hasattr(form, "getlist") else set()
    periods = [p for p in updated.get("time_off") or [] if _period_key(p) not in removed]
    problems: list[Issue] = []
    added = _added_period(form, problems)
    updated["time_off"] = [*periods, added] if added else periods
    problems += [
        Issue("error", "value", f"{_label(path)} {text}", (str(path[0]),))
        for path, text in schema_errors(STAFF_LISTS[list_name], updated)
    ]
    if problems:
        raise FormError("please correct the form", issues=problems)
    return updated


def _added_period(form: Mapping[str, str], problems: list[Issue]) -> Record | None:
    start = (form.get("time_off_start") or "").strip()
    end = (form.get("time_off_end") or "").strip()
    if not start and not end:
        return None
    if not (is_date(start) and is_date(end)) or end < start:
        text = "Time off needs a first and a last day (YYYY-MM-DD), the last not before the first"
        problems.append(Issue("error", "value", text, ("time_off_start",)))
        return None
    return {"start": start, "end": end}


def _period_key(period: Record) -> str:
    return f"{period.get('start')}/{period.get('end')}"


def _label(path: tuple[Any, ...]) -> str:
    names = {"phone": "Phone", "email": "Email", "schedule": "Schedule", "time_off": "Time off"}
    return names.get(str(path[0]), field_path(path)) + ":"


def publish(service: MemberService, plan: PlanStaff, entry: Record) -> int:
    """The plan's directory with the new entry, and the members who see it, re-ingested; the
    number of members whose care team now shows the new details."""
    directory = copy.deepcopy(plan.directory)
    directory[plan.list_name] = [
        entry if e.get("staff_id") == entry["staff_id"] else e for e in directory[plan.list_name]
    ]
    export = {"export": plan.header, "directory": directory, "members": plan.records}
    return service.ingest(export).members_stored
