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
from collections.abc import Callable, Mapping
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
    if query.scope == "all":
        candidates = index.members.keys()
    else:
        candidates = set().union(*(index.members_of_role(r) for r in viewer.role_refs))
    found = []
    for patient_id in candidates:
        member = index.members.get(patient_id)
        if member is None or not member.member_id or patient_id not in viewer.visible:
            continue
        if query.scope == "all" or in_caseload(index, member, viewer, today):
            found.append(member)
    return found


def in_caseload(index: CaseloadIndex, member: MemberSummary, viewer: Viewer, today: str) -> bool:
    if any(s.role_ref in viewer.role_refs and s.current_on(today) for s in member.seats):
        return True
    return any(task.owner_ref in viewer.role_refs for task in index.open_tasks(member.patient_id))


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
    """Filters and sorting on what each member's offers say; full rows for one page only."""
    day = today.isoformat()
    week_end = (today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    # Offer dates are worked out for every member only when a filter or the order needs them.
    dated = query.overdue or query.this_week or query.sort == "due"
    found = []
    for member in members_in_scope(index, viewer, query, day):
        if not matches_text(member, query.text) or not _member_filters(index, member, query, day):
            continue
        next_due, days_overdue = offer_dates(index, member, today) if dated else (None, 0)
        if query.overdue and days_overdue == 0:
            continue
        if query.this_week and not (next_due and day <= next_due <= week_end):
            continue
        found.append((member, next_due, days_overdue))
    found.sort(key=_member_sort(query.sort))
    page = paged(found, query.page)
    page.rows = [member_row(index, member, today) for member, _, _ in page.rows]
    return page


def offer_dates(
    index: CaseloadIndex, member: MemberSummary, today: dt.date
) -> tuple[str | None, int]:
    """OFFER-90, OFFER-ANNUAL, AVAIL-*: the next due date of an offer not yet made, and by how
    many days the most overdue one is late (the rules' verdict)."""
    unmade = [
        t
        for t in index.open_tasks(member.patient_id)
        if t.kind == "offer" and not t.started and t.due
    ]
    verdicts = [t.verdict(today) for t in unmade]
    next_due = min((t.due for t in unmade if t.due), default=None)
    return next_due, max((v.days_late for v in verdicts if v and v.overdue), default=0)


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
    if any(t.kind == "offer" for t in index.open_tasks(member.patient_id)):
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
    next_due, days_overdue = offer_dates(index, member, today)
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
        next_due=next_due,
        days_overdue=days_overdue,
    )


def _language(member: MemberSummary) -> str | None:
    if member.language and member.interpreter:
        return f"{member.language} (interpreter needed)"
    return member.language


def _member_sort(sort: str) -> Callable[[tuple[MemberSummary, str | None, int]], Any]:
    if sort == "birth":
        return lambda f: (f[0].birth_date, f[0].sort_name)
    if sort == "member":
        return lambda f: f[0].member_id
    if sort == "due":
        return lambda f: (-f[2], f[1] or "9999", f[0].sort_name)
    return lambda f: (f[0].sort_name, f[0].member_id)


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
    members: list[MemberSummary] | None = None,
) -> Page:
    """Open offers (`kind` "offer") or open service Tasks ("service") of the members in scope
    (`members`, when the caller has them); full rows for one page only."""
    day = today.isoformat()
    week_end = (today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    scope = members if members is not None else members_in_scope(index, viewer, query, day)
    found = []
    for member in scope:
        if not matches_text(member, query.text) or not _member_filters_for_work(
            index, member, query, day
        ):
            continue
        for task in index.open_tasks(member.patient_id):
            if (task.kind == "offer") != (kind == "offer"):
                continue
            if not viewer.is_plan and not ({task.owner_ref, task.requester_ref} & viewer.own_refs):
                continue
            late, soon = _due_state(task, today, day, week_end)
            if _work_filters(task, late, soon, query):
                found.append((member, task, late))
    found.sort(key=_work_sort(query.sort))
    page = paged(found, query.page)
    page.rows = [work_row(index, m, t, viewer, today) for m, t, _ in page.rows]
    return page


def _due_state(task: TaskSummary, today: dt.date, day: str, week_end: str) -> tuple[int, bool]:
    """(days overdue, due within the week) of an offer not yet made; (0, False) otherwise."""
    if task.kind != "offer" or task.started or not task.due:
        return 0, False
    verdict = task.verdict(today)
    late = verdict.days_late if verdict and verdict.overdue else 0
    return late, day <= task.due <= week_end


def _member_filters_for_work(index, member, query: ListQuery, day: str) -> bool:
    if query.rating and member.rating != query.rating:
        return False
    return not (query.cbo and query.cbo not in _ltsc_organizations(index, member, day))


def _work_filters(task: TaskSummary, late: int, soon: bool, query: ListQuery) -> bool:
    if query.overdue and not late:
        return False
    if query.this_week and not soon:
        return False
    return not (query.status and (task.business_code or "") != query.status)


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


def _work_sort(sort: str) -> Callable[[tuple[MemberSummary, TaskSummary, int]], Any]:
    if sort == "name":
        return lambda f: (f[0].sort_name, _work_date(f[1]))
    if sort == "status":
        return lambda f: (f[1].business_label, _work_date(f[1]) or "9999")
    return lambda f: (-f[2], _work_date(f[1]) or "9999", f[0].sort_name)


def _work_date(task: TaskSummary) -> str:
    return (task.due if task.kind == "offer" else task.authored_on) or ""


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
