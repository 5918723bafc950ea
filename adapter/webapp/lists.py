"""The members list and the work list over the caseload view: search, filters, sorting, pages.

Whose caseload a list shows (docs/webapp.md, "Caseloads"): a coordinator's own members are
those whose current care team has their PractitionerRole (a CC or an LTS-C seat), or who have
an open Task the coordinator owns. A supervisor (`role: supervisor` in the users file) may also
list every member their organization may see. Either way the API's access policy bounds the
list: an LTS-C never lists a member who has not consented (TEAM-DISCRETION).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapter.store.index import normalize
from adapter.webapp import labels
from adapter.webapp.caseload import CaseloadIndex, Directory, MemberSummary, TaskSummary

PAGE_SIZE = 50
DUE_SOON_DAYS = 7  # "due this week": from today to a week from today
FORM_KINDS = ("authorization", "fulfillment", "alternative-search")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MEMBER_SORTS = {"name": "Name", "birth": "Date of birth", "member": "Member id", "due": "Next due"}
WORK_SORTS = {"due": "Overdue first, then due date", "name": "Member name", "status": "Status"}
MEMBER_STATUSES = {
    "ltsc": "Has an LTS-C",
    "offer-open": "LTS-C offer open",
    "none": "No LTS-C and no open offer",
}


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as the lists need them."""

    role_refs: frozenset[str]  # their PractitionerRole reference(s)
    own_refs: frozenset[str]  # their organization and roles (Task owner or requester)
    visible: frozenset[str]  # Patient ids the access policy lets them see
    is_plan: bool
    is_supervisor: bool


@dataclass(frozen=True)
class ListQuery:
    text: str = ""
    scope: str = "mine"
    overdue: bool = False
    this_week: bool = False
    status: str = ""
    cbo: str = ""
    rating: str = ""
    sort: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str], viewer: Viewer) -> ListQuery:
        default_scope = "all" if viewer.is_supervisor else "mine"
        scope = args.get("scope") or default_scope
        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            page = 1
        return cls(
            text=(args.get("q") or "").strip()[:100],
            scope=scope if scope == "all" and viewer.is_supervisor else "mine",
            overdue=args.get("overdue") == "1",
            this_week=args.get("week") == "1",
            status=(args.get("status") or "").strip(),
            cbo=(args.get("cbo") or "").strip(),
            rating=(args.get("rating") or "").strip(),
            sort=(args.get("sort") or "").strip(),
            page=page,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query as URL arguments (with `changes`), leaving out what is at its default."""
        values = {
            "q": self.text, "scope": self.scope, "overdue": "1" if self.overdue else "",
            "week": "1" if self.this_week else "", "status": self.status, "cbo": self.cbo,
            "rating": self.rating, "sort": self.sort, "page": self.page,
        }  # fmt: skip
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and (k, v) != ("page", 1)}


@dataclass
class Contact:
    """A coordinator or organization someone may need to call (CONTACT)."""

    name: str
    organization: str
    phone: str | None
    email: str | None


@dataclass
class MemberRow:
    patient_id: str
    member_id: str
    name: str
    birth_date: str
    phone: str | None
    language: str | None
    rating: str
    care_coordinators: list[str]
    ltscs: list[Contact]
    next_due: str | None
    days_overdue: int


@dataclass
class WorkRow:
    patient_id: str
    member_name: str
    phone: str | None
    language: str | None
    what: str
    status: str
    date_label: str  # "Due" or "Since"
    date: str
    days_overdue: int
    due_this_week: bool
    anchor: str
    can_update: bool
    people: list[Contact] = field(default_factory=list)  # LTS-Cs offered, or vendor / owner
    status_code: str = ""
    to_make: bool = False  # an offer only due: the CC makes it from the app

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass
class Page:
    rows: list[Any]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.size)


def paged(rows: list[Any], number: int) -> Page:
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    number = min(number, pages)
    start = (number - 1) * PAGE_SIZE
    return Page(rows[start : start + PAGE_SIZE], len(rows), number, PAGE_SIZE)


# -- whose members ------------------------------------------------------------------------


def members_in_scope(index: CaseloadIndex, viewer: Viewer, query: ListQuery, today: str) -> list:
    """The members the list covers: the viewer's caseload, or (supervisors) all they may see."""
    found = []
    for member in index.members.values():
        if not member.member_id or member.patient_id not in viewer.visible:
            continue
        if query.scope == "all" or in_caseload(index, member, viewer, today):
            found.append(member)
    return found


def in_caseload(index: CaseloadIndex, member: MemberSummary, viewer: Viewer, today: str) -> bool:
    if any(s.role_ref in viewer.role_refs and s.current_on(today) for s in member.seats):
        return True
    return any(
        task.owner_ref in viewer.role_refs for task in _tasks(index, member.patient_id) if task.open
    )


def _tasks(index: CaseloadIndex, patient_id: str) -> Iterable[TaskSummary]:
    return (index.tasks[t] for t in index.tasks_of.get(patient_id, ()) if t in index.tasks)


def matches_text(member: MemberSummary, text: str) -> bool:
    """A name (any part, accents and case ignored), a member id, or a birth date."""
    if not text:
        return True
    day = _as_date(text)
    if day is not None:
        return member.birth_date == day
    if text.casefold() == member.member_id.casefold():
        return True
    words = normalize(text).split()
    return all(w in member.search_name for w in words)


def _as_date(text: str) -> str | None:
    if DATE.match(text):
        return text
    found = US_DATE.match(text)
    if found:
        month, day, year = (int(g) for g in found.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    return None


# -- the members list ---------------------------------------------------------------------


def member_page(index: CaseloadIndex, viewer: Viewer, query: ListQuery, today: dt.date) -> Page:
    day = today.isoformat()
    week_end = (today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    rows = []
    for member in members_in_scope(index, viewer, query, day):
        if not matches_text(member, query.text) or not _member_filters(index, member, query, day):
            continue
        row = member_row(index, member, today)
        if query.overdue and row.days_overdue == 0:
            continue
        if query.this_week and not (row.next_due and day <= row.next_due <= week_end):
            continue
        rows.append(row)
    rows.sort(key=_member_sort(query.sort))
    return paged(rows, query.page)


def _member_filters(index: CaseloadIndex, member: MemberSummary, query: ListQuery, day: str):
    if query.rating and member.rating != query.rating:
        return False
    if query.cbo and query.cbo not in _ltsc_organizations(index, member, day):
        return False
    if query.status:
        return member_status(index, member, day) == query.status
    return True


def member_status(index: CaseloadIndex, member: MemberSummary, day: str) -> str:
    if any(s.role_code == "ltsc" and s.current_on(day) for s in member.seats):
        return "ltsc"
    if any(t.kind == "offer" and t.open for t in _tasks(index, member.patient_id)):
        return "offer-open"
    return "none"


def _ltsc_organizations(index: CaseloadIndex, member: MemberSummary, day: str) -> set[str]:
    return {
        index.directory.organization_of(s.role_ref) or ""
        for s in member.seats
        if s.role_code == "ltsc" and s.current_on(day)
    }


def member_row(index: CaseloadIndex, member: MemberSummary, today: dt.date) -> MemberRow:
    day = today.isoformat()
    directory = index.directory
    open_offers = [t for t in _tasks(index, member.patient_id) if t.kind == "offer" and t.open]
    unmade = [t for t in open_offers if not t.started and t.due]
    verdicts = [t.verdict(today) for t in unmade]
    return MemberRow(
        patient_id=member.patient_id,
        member_id=member.member_id,
        name=member.name,
        birth_date=member.birth_date,
        phone=member.phone,
        language=_language(member),
        rating=labels.display("rating-category", member.rating) if member.rating else "",
        care_coordinators=[
            directory.name(s.role_ref)
            for s in member.seats
            if s.role_code == "cc" and s.current_on(day)
        ],
        ltscs=[
            contact(directory, s.role_ref)
            for s in member.seats
            if s.role_code == "ltsc" and s.current_on(day)
        ],
        next_due=min((t.due for t in unmade if t.due), default=None),
        days_overdue=max((v.days_late for v in verdicts if v and v.overdue), default=0),
    )


def _language(member: MemberSummary) -> str | None:
    if member.language and member.interpreter:
        return f"{member.language} (interpreter needed)"
    return member.language


def _member_sort(sort: str) -> Callable[[MemberRow], Any]:
    if sort == "birth":
        return lambda r: (r.birth_date, r.name.casefold())
    if sort == "member":
        return lambda r: r.member_id
    if sort == "due":
        return lambda r: (-r.days_overdue, r.next_due or "9999", r.name.casefold())
    return lambda r: (_family_first(r.name), r.member_id)


def _family_first(name: str) -> tuple[str, str]:
    given, _, family = name.rpartition(" ")
    return (normalize(family), normalize(given))


def contact(directory: Directory, role_ref: str | None) -> Contact:
    """A coordinator's name, organization and direct line (CONTACT)."""
    role = directory.roles.get(role_ref or "") or {}
    organization = directory.organization_of(role_ref)
    return Contact(
        name=directory.name(role_ref),
        organization=directory.name(organization) if organization else "",
        phone=_telecom(role, "phone"),
        email=_telecom(role, "email"),
    )


def organization_contact(directory: Directory, reference: str | None) -> Contact:
    """A vendor or a plan as a contact: its name and phone."""
    found = directory.organizations.get(reference or "") or {}
    return Contact(
        directory.name(reference), "", _telecom(found, "phone"), _telecom(found, "email")
    )


def _telecom(resource: dict[str, Any], system: str) -> str | None:
    for point in resource.get("telecom") or []:
        if point.get("system") == system:
            return str(point.get("value"))
    return None


# -- the work list ------------------------------------------------------------------------


def work_page(
    index: CaseloadIndex,
    viewer: Viewer,
    query: ListQuery,
    today: dt.date,
    kind: str,
) -> Page:
    """Open offers (`kind` "offer") or open service Tasks ("service") of the members in scope."""
    day = today.isoformat()
    rows = []
    for member in members_in_scope(index, viewer, query, day):
        if not matches_text(member, query.text) or not _member_filters_for_work(
            index, member, query, day
        ):
            continue
        for task in _tasks(index, member.patient_id):
            if not task.open or (task.kind == "offer") != (kind == "offer"):
                continue
            if not viewer.is_plan and not ({task.owner_ref, task.requester_ref} & viewer.own_refs):
                continue
            row = work_row(index, member, task, viewer, today)
            if _work_filters(row, query):
                rows.append(row)
    rows.sort(key=_work_sort(query.sort))
    return paged(rows, query.page)


def _member_filters_for_work(index, member, query: ListQuery, day: str) -> bool:
    if query.rating and member.rating != query.rating:
        return False
    return not (query.cbo and query.cbo not in _ltsc_organizations(index, member, day))


def _work_filters(row: WorkRow, query: ListQuery) -> bool:
    if query.overdue and not row.overdue:
        return False
    if query.this_week and not row.due_this_week:
        return False
    return not (query.status and row.status_code != query.status)


def work_row(
    index: CaseloadIndex, member: MemberSummary, task: TaskSummary, viewer: Viewer, today: dt.date
) -> WorkRow:
    directory = index.directory
    may_update = viewer.is_plan or task.owner_ref in viewer.own_refs
    base = {
        "patient_id": member.patient_id,
        "member_name": member.name,
        "phone": member.phone,
        "language": _language(member),
    }
    if task.kind == "offer":
        verdict = task.verdict(today)
        week_end = (today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
        unmade = not task.started
        return WorkRow(
            **base,
            what="LTS-C offer: " + "; ".join(task.reasons),
            status=(verdict.label() if verdict else task.business_label).capitalize(),
            date_label="Due",
            date=task.due or "",
            days_overdue=verdict.days_late if verdict and verdict.overdue else 0,
            due_this_week=bool(unmade and task.due and today.isoformat() <= task.due <= week_end),
            anchor=f"offer-{task.task_id}",
            can_update=may_update and bool(task.started),
            to_make=viewer.is_plan and unmade,
            people=[contact(directory, ref) for ref in task.choice_refs],
            status_code=task.business_code or "",
        )
    service = directory.services.get(task.focus_ref or "", "Service")
    status = task.business_label or labels.task_status(task.status)
    if task.status_reason:
        status += f" ({task.status_reason})"
    owner = task.owner_ref or ""
    people = [
        contact(directory, owner)
        if owner.startswith("PractitionerRole/")
        else organization_contact(directory, owner)
    ]
    return WorkRow(
        **base,
        what=f"{service}: {labels.service_kind(task.kind).lower()}",
        status=status,
        date_label="Since",
        date=task.authored_on or "",
        days_overdue=0,
        due_this_week=False,
        anchor=f"service-{task.task_id}",
        # Authorizations and fulfillments have forms, and so does a denied service's search
        # for an alternative (DENIED-ALT); interim alternatives are discussed.
        can_update=may_update and task.kind in FORM_KINDS and task.recommendation_id is not None,
        people=people if owner else [],
        status_code=task.business_code or "",
    )


def _work_sort(sort: str) -> Callable[[WorkRow], Any]:
    if sort == "name":
        return lambda r: (_family_first(r.member_name), r.date)
    if sort == "status":
        return lambda r: (r.status, r.date or "9999")
    return lambda r: (-r.days_overdue, r.date or "9999", r.member_name.casefold())


def filter_choices(index: CaseloadIndex) -> dict[str, list[tuple[str, str]]]:
    """The options of the CBO, rating category and status filters."""
    cbos = sorted(
        {
            (directory_org, index.directory.name(directory_org))
            for directory_org in (
                index.directory.organization_of(ref) for ref in index.directory.roles
            )
            if directory_org and "/cbo-" in directory_org
        },
        key=lambda pair: pair[1],
    )
    ratings = sorted(labels.displays().get("rating-category", {}).items())
    offer_statuses = sorted(labels.displays().get("offer-business-status", {}).items())
    service_statuses = sorted(labels.displays().get("service-business-status", {}).items())
    return {
        "cbos": cbos,
        "ratings": ratings,
        "offer_statuses": offer_statuses,
        "service_statuses": service_statuses,
        "member_statuses": list(MEMBER_STATUSES.items()),
    }
