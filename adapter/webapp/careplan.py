"""A member's shared care plan as one page reads it: team, goals, offers, services, messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapter import clock
from adapter.canonical import profile_url
from adapter.mapping.ids import resource_id
from adapter.rules.verdict import OfferVerdict, offer_verdict
from adapter.webapp import labels
from adapter.webapp.access import search_all
from adapter.webapp.fhir_view import (
    References,
    code_of,
    extensions,
    human_name,
    label_of,
    telecom,
)
from adapter.webapp.members import plan_member_id

Resource = dict[str, Any]
OFFER_PROFILE = profile_url("ltsc-offer-task")
SERVICE_PROFILE = profile_url("ltss-service-task")
OPEN_STATUSES = ("draft", "requested", "received", "accepted", "ready", "in-progress", "on-hold")
RECENT_NOTIFICATIONS = 20


@dataclass
class TeamMember:
    staff_id: str
    name: str
    role: str
    role_code: str  # ltsc | cc (ltsc-role)
    organization: str
    start: str | None
    end: str | None
    phone: str | None
    email: str | None
    schedule: str | None
    time_off: list[str]


@dataclass
class Offer:
    task_id: str
    offer_id: str | None  # the plan's offer record; None while the offer is only due
    triggers: list[str]  # what our offer-trigger CodeSystem calls each reason
    trigger_codes: list[str]
    due: str | None
    status: str
    business_status: str
    choices: list[tuple[str, str]]  # (staff id, name)
    decision: str | None
    chosen: str | None
    verdict: OfferVerdict
    can_update: bool = False
    offered: list[TeamMember] = field(default_factory=list)  # each choice's CBO and contact

    @property
    def overdue(self) -> bool:
        return self.verdict.overdue

    @property
    def days_overdue(self) -> int:
        return self.verdict.days_late if self.verdict.overdue else 0

    @property
    def offered_on(self) -> str | None:
        return self.verdict.offered_on.isoformat() if self.verdict.offered_on else None

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass
class Service:
    task_id: str
    kind: str  # authorization | fulfillment | alternative-search | interim-alternative
    recommendation_id: str | None
    service: str
    status: str
    business_status: str
    business_code: str | None
    owner: str
    owner_organization: str
    owner_phone: str | None
    reason: str | None
    expected_start: str | None
    authored_on: str | None
    can_update: bool = False

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str:
        return labels.task_status(self.status)

    @property
    def kind_label(self) -> str:
        return labels.service_kind(self.kind)

    @property
    def has_form(self) -> bool:
        """RECOMMEND, VENDOR-FILL, WAIT, DENIED-ALT: authorizations and fulfillments are
        updated here, and an alternative to a denied service is recorded here."""
        forms = ("authorization", "fulfillment", "alternative-search")
        return self.kind in forms and self.recommendation_id is not None


@dataclass
class Notification:
    sent: str
    topic: str
    sender: str
    recipients: str
    text: str


@dataclass
class CarePlan:
    member_id: str
    name: str
    birth_date: str | None
    phone: str | None
    email: str | None
    addresses: list[str]
    language: str | None
    interpreter: bool
    preferences: list[str]
    accessibility: list[str]
    team: list[TeamMember] = field(default_factory=list)
    goals: list[dict[str, str]] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

    def current(self, role_code: str) -> list[TeamMember]:
        return [m for m in self.team if m.role_code == role_code and m.end is None]

    def notification_recipients(self, sender_staff_id: str) -> list[TeamMember]:
        """STATUS-SHARE: the CC hears from everyone else; a CC's own reports go to the LTS-C."""
        is_cc = any(m.staff_id == sender_staff_id for m in self.current("cc"))
        return self.current("ltsc") if is_cc else self.current("cc")


def today() -> str:
    return clock.today().isoformat()


def care_plan(store: Any, patient_id: str, may_update: Callable[[Resource], bool]) -> CarePlan:
    """Everything the page shows, read from the FHIR store (NotFound if the member is unknown);
    `may_update(task)` says which Tasks the reader may act on."""
    patient = store.read("Patient", patient_id).resource
    refs = References(store)
    about = [("patient", f"Patient/{patient_id}")]
    plan = member_summary(plan_member_id(patient) or "", patient)
    plan.team = care_team(store, refs, about)
    plan.goals = goals(search_all(store, "Goal", about))
    tasks = search_all(store, "Task", about)
    plan.offers = sorted(
        (offer(t, refs) for t in tasks if OFFER_PROFILE in profiles_of(t)),
        key=lambda o: (not o.overdue, not o.open, o.due or ""),
    )
    plan.services = service_tasks(refs, [t for t in tasks if SERVICE_PROFILE in profiles_of(t)])
    updatable = {t["id"] for t in tasks if t.get("status") in OPEN_STATUSES and may_update(t)}
    for item in [*plan.offers, *plan.services]:
        item.can_update = item.task_id in updatable
    messages = search_all(store, "Communication", [("subject", f"Patient/{patient_id}")])
    plan.notifications = notifications(messages, refs)
    return plan


def member_summary(member_id: str, patient: Resource) -> CarePlan:
    """COMM-PREFS: how to reach the member and what they need to take part."""
    preferences = [
        " — ".join(
            str(part.get("valueCode") or part.get("valueString"))
            for part in e.get("extension") or []
        )
        for e in extensions(patient, "/communication-preference")
    ]
    accessibility = [
        " — ".join(filter(None, [label_of(e.get("valueCodeableConcept")), e.get("valueString")]))
        for e in extensions(patient, "/accessibility-need")
    ]
    language = next((code_of(c.get("language")) for c in patient.get("communication") or []), None)
    interpreter = any(
        e.get("valueBoolean") for e in extensions(patient, "/patient-interpreterRequired")
    )
    return CarePlan(
        member_id=member_id,
        name=human_name(patient),
        birth_date=patient.get("birthDate"),
        phone=telecom(patient, "phone"),
        email=telecom(patient, "email"),
        addresses=[_address(a) for a in patient.get("address") or [] if _current(a)],
        language=labels.language(language),
        interpreter=interpreter,
        preferences=preferences,
        accessibility=accessibility,
    )


def _address(address: Resource) -> str:
    place = ", ".join([*address.get("line", []), address.get("city", ""), address.get("state", "")])
    kind = "Temporary stay" if address.get("use") == "temp" else "Home"
    return f"{kind}: {place} {address.get('postalCode', '')}".strip()


def _current(address: Resource) -> bool:
    end = (address.get("period") or {}).get("end")
    return end is None or end >= today()


def care_team(store: Any, refs: References, about: list[tuple[str, str]]) -> list[TeamMember]:
    """CONTACT: each coordinator's role, period, direct lines, schedule and time off."""
    found = []
    for team in search_all(store, "CareTeam", about):
        for participant in team.get("participant") or []:
            reference = (participant.get("member") or {}).get("reference", "")
            if reference.startswith("PractitionerRole/"):
                found.append(_team_member(refs, participant, reference))
    return sorted(found, key=lambda m: (m.end is not None, m.role, m.start or ""))


def _team_member(refs: References, participant: Resource, reference: str) -> TeamMember:
    role = refs.resource(reference) or {}
    period = participant.get("period") or {}
    time_off = [
        f"{(n.get('during') or {}).get('start', '?')} to {(n.get('during') or {}).get('end', '?')}"
        for n in role.get("notAvailable") or []
    ]
    return TeamMember(
        staff_id=_staff(participant.get("member"), refs)[0],
        name=refs.name(reference),
        role=label_of(participant.get("role")),
        role_code=code_of(participant.get("role")) or "",
        organization=refs.organization_of(reference),
        start=period.get("start"),
        end=period.get("end"),
        phone=telecom(role, "phone"),
        email=telecom(role, "email"),
        schedule=role.get("availabilityExceptions"),
        time_off=time_off,
    )


def goals(found: list[Resource]) -> list[dict[str, str]]:
    """GOALS: the member's own words first, then what kind of goal and when."""
    return [
        {
            "description": (g.get("description") or {}).get("text", ""),
            "category": label_of(g.get("category")),
            "status": g.get("lifecycleStatus", ""),
            "start": g.get("startDate", ""),
            "target": next((t.get("dueDate", "") for t in g.get("target") or []), ""),
        }
        for g in sorted(found, key=lambda g: g.get("startDate", ""))
    ]


def offer(task: Resource, refs: References) -> Offer:
    """An LTS-C offer Task (OFFER-90, OFFER-ANNUAL, AVAIL-*, CHOICE-TWO)."""
    due = ((task.get("restriction") or {}).get("period") or {}).get("end")
    choices = [
        _staff(i.get("valueReference"), refs) for i in _typed(task.get("input"), "ltsc-choice")
    ]
    chosen = _typed(task.get("output"), "chosen-ltsc")
    decision = _typed(task.get("output"), "offer-decision")
    return Offer(
        task_id=task["id"],
        # An offer the CC has made starts its execution; one only due has no plan record yet.
        offer_id=source_record_id(task) if _execution_start(task) else None,
        triggers=labels.concept_labels(task.get("reasonCode")),
        trigger_codes=list(
            dict.fromkeys(
                str(c.get("code", "")) for c in (task.get("reasonCode") or {}).get("coding") or []
            )
        ),
        due=due,
        status=task.get("status", ""),
        business_status=label_of(task.get("businessStatus")),
        choices=choices,
        decision=label_of(decision[0].get("valueCodeableConcept")) if decision else None,
        chosen=refs.name(chosen[0]["valueReference"]["reference"]) if chosen else None,
        verdict=offer_verdict(due, _execution_start(task), task.get("status", ""), clock.today()),
        offered=[
            _offered(refs, i.get("valueReference"))
            for i in _typed(task.get("input"), "ltsc-choice")
        ],
    )


def _offered(refs: References, reference: Resource | None) -> TeamMember:
    """CHOICE-TWO, CONTACT: an LTS-C offered, with their CBO and direct lines."""
    text = (reference or {}).get("reference", "")
    role = refs.resource(text) or {}
    return TeamMember(
        staff_id=_staff(reference, refs)[0],
        name=refs.name(text),
        role="LTS-C",
        role_code="ltsc",
        organization=refs.organization_of(text),
        start=None,
        end=None,
        phone=telecom(role, "phone"),
        email=telecom(role, "email"),
        schedule=role.get("availabilityExceptions"),
        time_off=[],
    )


def _execution_start(task: Resource) -> str | None:
    return (task.get("executionPeriod") or {}).get("start")


def _staff(reference: Resource | None, refs: References) -> tuple[str, str]:
    text = (reference or {}).get("reference", "")
    role = refs.resource(text) or {}
    staff_id = next((str(i.get("value")) for i in role.get("identifier") or []), text)
    return staff_id, refs.name(text)


def service_tasks(refs: References, tasks: list[Resource]) -> list[Service]:
    """RECOMMEND, DENIED-ALT, VENDOR-FILL, WAIT: each service Task with its focus's name."""
    found = [_service(t, refs) for t in tasks]
    return sorted(found, key=lambda s: (not s.open, s.recommendation_id or "", s.kind))


def _service(task: Resource, refs: References) -> Service:
    focus = refs.resource((task.get("focus") or {}).get("reference")) or {}
    owner = str((task.get("owner") or {}).get("reference") or "")
    kind = task_kind(task)
    start = ((task.get("restriction") or {}).get("period") or {}).get("start")
    return Service(
        task_id=task["id"],
        kind=kind,
        recommendation_id=recommendation_id(task, kind),
        service=(labels.concept_labels(focus.get("code")) or ["Service"])[0],
        status=task.get("status", ""),
        business_status=(labels.concept_labels(task.get("businessStatus")) or [""])[0],
        business_code=code_of(task.get("businessStatus")),
        owner=refs.name(owner),
        owner_organization=refs.organization_of(owner) if "PractitionerRole/" in owner else "",
        owner_phone=telecom(refs.resource(owner), "phone"),
        reason=(task.get("statusReason") or {}).get("text"),
        expected_start=start,
        authored_on=task.get("authoredOn"),
    )


def task_kind(task: Resource) -> str:
    code = code_of(task.get("code"))
    return {"approve": "authorization", "fulfill": "fulfillment"}.get(code or "", code or "")


def recommendation_id(task: Resource, kind: str) -> str | None:
    """The plan's recommendation id inside a service Task key `{member}-{id}-{kind}`."""
    source = source_record(task)
    if source is None:
        return None
    member_id, key = source
    prefix, suffix = f"{member_id}-", f"-{kind}"
    if key.startswith(prefix) and key.endswith(suffix) and len(key) > len(prefix + suffix):
        return key[len(prefix) : -len(suffix)]
    return None


def source_record(resource: Resource) -> tuple[str, str] | None:
    for identifier in resource.get("identifier") or []:
        value = str(identifier.get("value") or "")
        if str(identifier.get("system", "")).endswith("/source-record") and "/" in value:
            member_id, _, record_id = value.partition("/")
            return member_id, record_id
    return None


def source_record_id(resource: Resource) -> str | None:
    source = source_record(resource)
    return source[1] if source else None


def notifications(messages: list[Resource], refs: References) -> list[Notification]:
    """STATUS-SHARE, STAFFING, VENDOR-FILL, WAIT, DENIED-ALT: the latest messages first."""
    found = [
        Notification(
            sent=str(m.get("sent", ""))[:10],
            topic=label_of(m.get("category")),
            sender=refs.name((m.get("sender") or {}).get("reference")),
            recipients=", ".join(refs.name(r.get("reference")) for r in m.get("recipient") or []),
            text=readable_message(
                " ".join(p.get("contentString", "") for p in m.get("payload") or []), refs
            ),
        )
        for m in messages
    ]
    found.sort(key=lambda n: n.sent, reverse=True)
    return found[:RECENT_NOTIFICATIONS]


VENDOR_ID = re.compile(r"\bvendor (V-[A-Z0-9-]+)")
SERVICE_CODE = re.compile(r"^([a-z]+(?:-[a-z]+)*)(:| was | is )")


def readable_message(text: str, refs: References) -> str:
    """The rules' message with names for codes: the vendor's name for its id (VENDOR-FILL),
    the service's display for its code."""

    def vendor(found: re.Match[str]) -> str:
        name = refs.name(f"Organization/{resource_id('vendor', found.group(1))}")
        return name if name != "unknown" else found.group(0)

    def service(found: re.Match[str]) -> str:
        label = labels.displays().get("ltss-service-type", {}).get(found.group(1))
        return f"{label}{found.group(2)}" if label else found.group(0)

    return SERVICE_CODE.sub(service, VENDOR_ID.sub(vendor, text), count=1)


def _typed(entries: list[Resource] | None, code: str) -> list[Resource]:
    return [e for e in entries or [] if code_of(e.get("type")) == code]


def profiles_of(resource: Resource) -> list[str]:
    return (resource.get("meta") or {}).get("profile") or []
