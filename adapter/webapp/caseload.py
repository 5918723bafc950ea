"""The caseload view: one small summary per member and per open-or-closed Task, kept in memory
and brought up to date from the store's version sequence before each page.

Lists of thousands of members are searched, filtered, sorted and paged here, on the server,
without reading each member's resources per request. The first page after start-up reads the
current resources once; after that each request reads only the versions written since (by any
process: API, worker, CLI), so a page costs what changed, not the size of the plan. Day-dependent
facts (overdue, due this week) are worked out at query time from the due dates, on the product
clock's today.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import and_, func, or_, select

from adapter.canonical import identifier_system, profile_url
from adapter.rules.verdict import OfferVerdict, offer_verdict
from adapter.store.index import normalize
from adapter.store.schema import current, versions
from adapter.webapp import labels
from adapter.webapp.fhir_view import code_of, extensions, human_name, telecom

Resource = dict[str, Any]
MEMBER_ID_SYSTEM = identifier_system("plan-member-id")
OFFER_PROFILE = profile_url("ltsc-offer-task")
SERVICE_PROFILE = profile_url("ltss-service-task")
OPEN_STATUSES = frozenset(
    {"draft", "requested", "received", "accepted", "ready", "in-progress", "on-hold"}
)
MEMBER_TYPES = ("Patient", "CareTeam", "Task", "ServiceRequest")
DIRECTORY_TYPES = ("PractitionerRole", "Practitioner", "Organization")
WATCHED = MEMBER_TYPES + DIRECTORY_TYPES
# PostgreSQL hands out version numbers (seq) before commit, so a transaction that started
# earlier may commit a lower seq after a later one was read: each refresh looks this many
# versions back and skips the ones it has already applied.
OVERLAP_VERSIONS = 1000


@dataclass
class TeamSeat:
    """One coordinator on a member's care team."""

    role_ref: str
    role_code: str  # cc | ltsc
    start: str | None
    end: str | None

    def current_on(self, day: str) -> bool:
        return self.end is None or self.end >= day


@dataclass
class MemberSummary:
    patient_id: str
    member_id: str
    name: str
    family: str
    search_name: str  # case- and accent-folded "given family"
    sort_name: tuple[str, str]  # folded (family, given)
    birth_date: str
    phone: str | None
    language: str | None
    interpreter: bool
    rating: str | None  # rating-category code
    seats: list[TeamSeat] = field(default_factory=list)


@dataclass
class TaskSummary:
    task_id: str
    patient_id: str
    kind: str  # offer | authorization | fulfillment | alternative-search | interim-alternative
    status: str
    business_code: str | None
    business_label: str
    reasons: list[str]  # offer triggers, as our CodeSystem displays them
    due: str | None
    started: str | None  # executionPeriod.start: when an offer was made
    authored_on: str | None
    owner_ref: str | None
    requester_ref: str | None
    focus_ref: str | None
    choice_refs: list[str]
    source_record: str | None  # `{member id}/{record id}`
    status_reason: str | None

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def recommendation_id(self) -> str | None:
        """The plan's recommendation id inside a service Task key `{member}-{id}-{kind}`."""
        member_id, _, key = (self.source_record or "").partition("/")
        prefix, suffix = f"{member_id}-", f"-{self.kind}"
        if key.startswith(prefix) and key.endswith(suffix) and len(key) > len(prefix + suffix):
            return key[len(prefix) : -len(suffix)]
        return None

    def verdict(self, today: date) -> OfferVerdict | None:
        if self.kind != "offer":
            return None
        return offer_verdict(self.due, self.started, self.status, today)


@dataclass
class Directory:
    """Coordinators, organizations and services, by reference, for names and contacts."""

    roles: dict[str, Resource] = field(default_factory=dict)
    people: dict[str, Resource] = field(default_factory=dict)
    organizations: dict[str, Resource] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)  # ServiceRequest ref -> label

    def name(self, reference: str | None) -> str:
        if not reference:
            return ""
        if reference.startswith("PractitionerRole/"):
            role = self.roles.get(reference) or {}
            person = (role.get("practitioner") or {}).get("reference")
            return human_name(self.people.get(person or "")) or "unknown"
        found = self.people.get(reference) or self.organizations.get(reference)
        return human_name(found) or "unknown"

    def organization_of(self, reference: str | None) -> str | None:
        """The organization a PractitionerRole works for (its reference)."""
        role = self.roles.get(reference or "") or {}
        return (role.get("organization") or {}).get("reference")


class CaseloadIndex:
    """Member and Task summaries of the whole store, refreshed from its version sequence."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.members: dict[str, MemberSummary] = {}
        self.tasks: dict[str, TaskSummary] = {}
        self.tasks_of: dict[str, set[str]] = {}
        self.directory = Directory()
        self.version = 0  # moves with every change applied, for what is derived from the view
        self._by_role: tuple[int, dict[str, set[str]]] = (-1, {})
        self._open: tuple[int, dict[str, list[TaskSummary]]] = (-1, {})
        self._watermark: int | None = None
        self._applied: set[int] = set()
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Apply every version written since the last refresh (all of them, the first time)."""
        with self._lock, self.store.reading() as conn:
            if self._watermark is None:
                self._build(conn)
            else:
                self._catch_up(conn)

    def _build(self, conn: Any) -> None:
        top = conn.execute(select(func.max(versions.c.seq))).scalar() or 0
        rows = conn.execute(
            select(current.c.res_type, current.c.res_id, current.c.content).where(
                current.c.res_type.in_(WATCHED), current.c.deleted.is_(False)
            )
        )
        for row in rows:
            self._apply(row.res_type, row.res_id, orjson.loads(row.content))
        self._watermark = top
        self._applied = set()
        # The summaries live as long as the process: moved out of the garbage collector's
        # view, a full collection no longer walks hundreds of thousands of them, which made
        # one page in twenty several hundred milliseconds slower at 5,000 members.
        gc.freeze()

    def _catch_up(self, conn: Any) -> None:
        since = max(0, (self._watermark or 0) - OVERLAP_VERSIONS)
        recent = conn.execute(
            select(versions.c.seq, versions.c.res_type, versions.c.res_id)
            .where(versions.c.seq > since, versions.c.res_type.in_(WATCHED))
            .order_by(versions.c.seq)
        ).all()
        new = [r for r in recent if r.seq not in self._applied and r.seq > 0]
        if not new:
            return
        latest = self._current_of(conn, {(r.res_type, r.res_id) for r in new})
        for key, resource in latest.items():
            self._apply(*key, resource)
        top = max(r.seq for r in recent)
        self._watermark = max(self._watermark or 0, top)
        floor = self._watermark - OVERLAP_VERSIONS
        self._applied = {s for s in self._applied | {r.seq for r in new} if s > floor}

    def _current_of(
        self, conn: Any, keys: set[tuple[str, str]]
    ) -> dict[tuple[str, str], Resource | None]:
        """The current content of each (type, id); None for a deleted resource."""
        found: dict[tuple[str, str], Resource | None] = dict.fromkeys(keys)
        ordered = sorted(keys)
        for start in range(0, len(ordered), 200):
            chunk = ordered[start : start + 200]
            condition = or_(
                *(and_(current.c.res_type == t, current.c.res_id == i) for t, i in chunk)
            )
            rows = conn.execute(
                select(
                    current.c.res_type, current.c.res_id, current.c.deleted, current.c.content
                ).where(condition)
            )
            for row in rows:
                body = None if row.deleted else orjson.loads(row.content)
                found[(row.res_type, row.res_id)] = body
        return found

    def open_tasks(self, patient_id: str) -> list[TaskSummary]:
        """The member's open Tasks (worked out once per change of the view)."""
        version, found = self._open
        if version != self.version:
            found = {}
            for task in self.tasks.values():
                if task.open:
                    found.setdefault(task.patient_id, []).append(task)
            self._open = (self.version, found)
        return found.get(patient_id, [])

    def members_of_role(self, role_ref: str) -> set[str]:
        """Patient ids whose care team ever had the role, or with an open Task it owns (the
        caller checks which seats are current)."""
        version, found = self._by_role
        if version != self.version:
            found = {}
            for member in self.members.values():
                for seat in member.seats:
                    found.setdefault(seat.role_ref, set()).add(member.patient_id)
            for task in self.tasks.values():
                if task.open and task.owner_ref:
                    found.setdefault(task.owner_ref, set()).add(task.patient_id)
            self._by_role = (self.version, found)
        return found.get(role_ref, set())

    def _apply(self, resource_type: str, resource_id: str, resource: Resource | None) -> None:
        self.version += 1
        reference = f"{resource_type}/{resource_id}"
        if resource_type == "Patient":
            self._apply_patient(resource_id, resource)
        elif resource_type == "CareTeam":
            self._apply_team(resource)
        elif resource_type == "Task":
            self._apply_task(resource_id, resource)
        elif resource_type == "ServiceRequest":
            self._apply_service(reference, resource)
        else:
            self._apply_directory(resource_type, reference, resource)

    def _apply_patient(self, patient_id: str, patient: Resource | None) -> None:
        if patient is None:
            self.members.pop(patient_id, None)
            return
        seats = self.members[patient_id].seats if patient_id in self.members else []
        self.members[patient_id] = member_summary(patient_id, patient, seats)

    def _apply_team(self, team: Resource | None) -> None:
        if team is None:
            return  # care teams are replaced, never deleted alone
        patient_id = str((team.get("subject") or {}).get("reference", "")).removeprefix("Patient/")
        member = self.members.get(patient_id)
        if member is None:
            member = self.members[patient_id] = empty_member(patient_id)
        member.seats = team_seats(team)

    def _apply_task(self, task_id: str, task: Resource | None) -> None:
        old = self.tasks.pop(task_id, None)
        if old is not None:
            self.tasks_of.get(old.patient_id, set()).discard(task_id)
        summary = task_summary(task_id, task) if task is not None else None
        if summary is not None:
            self.tasks[task_id] = summary
            self.tasks_of.setdefault(summary.patient_id, set()).add(task_id)

    def _apply_service(self, reference: str, request: Resource | None) -> None:
        if request is None:
            self.directory.services.pop(reference, None)
        else:
            found = labels.concept_labels(request.get("code"))
            self.directory.services[reference] = found[0] if found else "service"

    def _apply_directory(self, kind: str, reference: str, resource: Resource | None) -> None:
        table = {
            "PractitionerRole": self.directory.roles,
            "Practitioner": self.directory.people,
            "Organization": self.directory.organizations,
        }[kind]
        if resource is None:
            table.pop(reference, None)
        else:
            table[reference] = _slim(resource)


def _slim(resource: Resource) -> Resource:
    """What names and contacts need; narrative and the rest are not kept in memory."""
    keep = ("resourceType", "id", "name", "telecom", "practitioner", "organization", "identifier")
    return {k: resource[k] for k in keep if k in resource}


def empty_member(patient_id: str) -> MemberSummary:
    return MemberSummary(patient_id, "", "", "", "", ("", ""), "", None, None, False, None)


def member_summary(patient_id: str, patient: Resource, seats: list[TeamSeat]) -> MemberSummary:
    """COMM-PREFS: name, birth date, phone and preferred language for every list row."""
    names = patient.get("name") or [{}]
    language = next((code_of(c.get("language")) for c in patient.get("communication") or []), None)
    rating = next(
        (code_of(e.get("valueCodeableConcept")) for e in extensions(patient, "/rating-category")),
        None,
    )
    name = human_name(patient)
    return MemberSummary(
        patient_id=patient_id,
        member_id=next(
            (
                str(i.get("value"))
                for i in patient.get("identifier") or []
                if i.get("system") == MEMBER_ID_SYSTEM
            ),
            "",
        ),
        name=name,
        family=str(names[0].get("family") or ""),
        search_name=normalize(name),
        sort_name=(
            normalize(str(names[0].get("family") or "")),
            normalize(" ".join(names[0].get("given") or [])),
        ),
        birth_date=str(patient.get("birthDate") or ""),
        phone=telecom(patient, "phone"),
        language=labels.language(language),
        interpreter=any(
            e.get("valueBoolean") for e in extensions(patient, "/patient-interpreterRequired")
        ),
        rating=rating,
        seats=seats,
    )


def team_seats(team: Resource) -> list[TeamSeat]:
    seats = []
    for participant in team.get("participant") or []:
        reference = str((participant.get("member") or {}).get("reference") or "")
        if not reference.startswith("PractitionerRole/"):
            continue
        codes = [
            c.get("code") for r in participant.get("role") or [] for c in r.get("coding") or []
        ]
        role_code = "ltsc" if "ltsc" in codes else "cc" if "cc" in codes else ""
        period = participant.get("period") or {}
        seats.append(TeamSeat(reference, role_code, period.get("start"), period.get("end")))
    return seats


def task_summary(task_id: str, task: Resource) -> TaskSummary | None:
    profiles = (task.get("meta") or {}).get("profile") or []
    if OFFER_PROFILE in profiles:
        kind = "offer"
    elif SERVICE_PROFILE in profiles:
        code = code_of(task.get("code")) or ""
        kind = {"approve": "authorization", "fulfill": "fulfillment"}.get(code, code)
    else:
        return None
    patient_id = str((task.get("for") or {}).get("reference", "")).removeprefix("Patient/")
    business = labels.concept_labels(task.get("businessStatus"))
    return TaskSummary(
        task_id=task_id,
        patient_id=patient_id,
        kind=kind,
        status=str(task.get("status") or ""),
        business_code=code_of(task.get("businessStatus")),
        business_label=business[0] if business else "",
        reasons=labels.concept_labels(task.get("reasonCode")),
        due=((task.get("restriction") or {}).get("period") or {}).get("end"),
        started=(task.get("executionPeriod") or {}).get("start"),
        authored_on=task.get("authoredOn"),
        owner_ref=(task.get("owner") or {}).get("reference"),
        requester_ref=(task.get("requester") or {}).get("reference"),
        focus_ref=(task.get("focus") or {}).get("reference"),
        choice_refs=[
            str((i.get("valueReference") or {}).get("reference"))
            for i in task.get("input") or []
            if code_of(i.get("type")) == "ltsc-choice"
        ],
        source_record=next(
            (
                str(i.get("value"))
                for i in task.get("identifier") or []
                if str(i.get("system", "")).endswith("/source-record")
            ),
            None,
        ),
        status_reason=(task.get("statusReason") or {}).get("text"),
    )
