"""rows_from_fhir: member and offer rows from stored FHIR Patients and LTS-C offer Tasks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from adapter.canonical import code_system_url, extension_url, identifier_system
from adapter.reports.rows import MemberRow, OfferRow

Resource = dict[str, Any]

TASK_CODE = code_system_url("task-code")
TRIGGERS = code_system_url("offer-trigger")
IO_TYPES = code_system_url("task-io-type")
OUTCOMES = code_system_url("offer-outcome")
CBO_TYPE = code_system_url("cbo-type")
RATING = extension_url("rating-category")


@dataclass(frozen=True)
class Resources:
    """Resources by reference, so references written as `{type}/{id}` resolve, and by type."""

    by_ref: dict[str, Resource]
    by_type: dict[str, list[Resource]]

    @classmethod
    def of(cls, resources: Iterable[Resource]) -> Resources:
        by_ref = {f"{r['resourceType']}/{r.get('id')}": r for r in _flatten(resources)}
        by_type: dict[str, list[Resource]] = defaultdict(list)
        for resource in by_ref.values():
            by_type[resource["resourceType"]].append(resource)
        return cls(by_ref, dict(by_type))

    def of_type(self, resource_type: str) -> list[Resource]:
        return self.by_type.get(resource_type, [])

    def get(self, reference: dict[str, Any] | None) -> Resource:
        return self.by_ref.get((reference or {}).get("reference") or "", {})

    def about(self, resource_type: str, element: str) -> dict[str, list[Resource]]:
        """Resources of a type by the reference in `element` (Task.for, CarePlan.subject)."""
        grouped: dict[str, list[Resource]] = defaultdict(list)
        for resource in self.of_type(resource_type):
            grouped[(resource.get(element) or {}).get("reference") or ""].append(resource)
        return grouped


def _flatten(resources: Iterable[Resource]) -> Iterator[Resource]:
    """Bundles (transactions as the mapping writes them, or searchsets) give their entries."""
    for resource in resources:
        if resource.get("resourceType") == "Bundle":
            yield from _flatten(
                e["resource"] for e in resource.get("entry") or [] if "resource" in e
            )
        elif resource.get("resourceType"):
            yield resource


def rows_from_fhir(resources: Iterable[Resource]) -> tuple[list[MemberRow], list[OfferRow]]:
    """Rows as rows_from_exports gives them, read back from what the mapping writes."""
    index = Resources.of(resources)
    tasks_of = index.about("Task", "for")
    care_plans_of = index.about("CarePlan", "subject")
    members: list[MemberRow] = []
    offers: list[OfferRow] = []
    for patient in index.of_type("Patient"):
        subject = f"Patient/{patient.get('id')}"
        own = [t for t in tasks_of.get(subject, []) if _is_offer(t) and _has_dates(t)]
        starts = _episode_starts(own, care_plans_of.get(subject, []))
        members.extend(_member_rows(index, patient, starts))
        offers.extend(_offer_row(index, patient, t) for t in own if _was_owed(t))
    return members, offers


def _was_owed(task: Resource) -> bool:
    """A cancelled offer Task was owed only when it fell due before the member left or died."""
    if task.get("status") != "cancelled":
        return True
    codings = (task.get("businessStatus") or {}).get("coding") or []
    return any(c.get("code") == "overdue" for c in codings)


def _is_offer(task: Resource) -> bool:
    codings = (task.get("code") or {}).get("coding") or []
    return any(c.get("system") == TASK_CODE and c.get("code") == "ltsc-offer" for c in codings)


def _has_dates(task: Resource) -> bool:
    return bool(task.get("authoredOn") and _due(task))


def _due(task: Resource) -> str | None:
    return ((task.get("restriction") or {}).get("period") or {}).get("end")


def _episode_starts(tasks: list[Resource], care_plans: list[Resource]) -> list[date]:
    """OFFER-90 Tasks start episodes (their authoredOn is the enrollment start); the CarePlan's
    start covers a first enrollment without one (an LTS-C assigned from the first day)."""
    starts = {_day(t["authoredOn"]) for t in tasks if _trigger_codes(t)[:1] == ["OFFER-90"]}
    first = min((d for p in care_plans if (d := _day((p.get("period") or {}).get("start")))),
                default=None)  # fmt: skip
    if first and (not starts or first < min(s for s in starts if s)):
        starts.add(first)
    return sorted(s for s in starts if s)


def _member_rows(index: Resources, patient: Resource, starts: list[date]) -> list[MemberRow]:
    """One row per episode: each ends the day before the next starts, the last at death."""
    ends = [s - timedelta(days=1) for s in starts[1:]] + [_day(patient.get("deceasedDateTime"))]
    return [
        {
            "member_id": _member_id(patient),
            "plan_id": _plan_id(index, patient.get("managingOrganization")),
            "rating_category": _rating(patient),
            "enrollment_start": start,
            "enrollment_end": end,
        }
        for start, end in zip(starts, ends, strict=True)
    ]


def _offer_row(index: Resources, patient: Resource, task: Resource) -> OfferRow:
    made = _day((task.get("executionPeriod") or {}).get("start"))
    choices = _inputs(task, "ltsc-choice") if made else []
    triggers = _trigger_codes(task) or ["AVAIL-REQUEST"]
    chosen = [_cbo_type(index, r) for r in _outputs(task, "chosen-ltsc", "valueReference")]
    plan = _plan_id(index, task.get("requester")) or _plan_id(
        index, patient.get("managingOrganization")
    )
    return {
        "member_id": _member_id(patient),
        "plan_id": plan,
        "trigger": triggers[0],
        "triggers": triggers,
        "trigger_date": _day(task["authoredOn"]),
        "due": _day(_due(task)),
        "offered_on": made,
        "outcome": _outcome(task),
        "outcome_date": _day((task.get("executionPeriod") or {}).get("end")),
        "choices": len(choices),
        "cbo_types": sorted({t for r in choices if (t := _cbo_type(index, r))}),
        "chosen_cbo_type": next((t for t in chosen if t), None),
        "rating_category": _rating(patient),
    }


def _trigger_codes(task: Resource) -> list[str]:
    codings = (task.get("reasonCode") or {}).get("coding") or []
    return [c["code"] for c in codings if c.get("system") == TRIGGERS and c.get("code")]


def _io_is(item: Resource, code: str) -> bool:
    codings = (item.get("type") or {}).get("coding") or []
    return any(c.get("system") == IO_TYPES and c.get("code") == code for c in codings)


def _inputs(task: Resource, code: str) -> list[dict[str, Any]]:
    return [
        i["valueReference"]
        for i in task.get("input") or []
        if _io_is(i, code) and "valueReference" in i
    ]


def _outputs(task: Resource, code: str, value: str) -> list[Any]:
    return [o[value] for o in task.get("output") or [] if _io_is(o, code) and value in o]


def _outcome(task: Resource) -> str | None:
    for concept in _outputs(task, "offer-decision", "valueCodeableConcept"):
        for coding in concept.get("coding") or []:
            if coding.get("system") == OUTCOMES:
                return coding.get("code")
    return None


def _cbo_type(index: Resources, role_reference: dict[str, Any]) -> str | None:
    """CBO-TYPES: PractitionerRole → its Organization → the Organization's cbo-type code."""
    organization = index.get(index.get(role_reference).get("organization"))
    for concept in organization.get("type") or []:
        for coding in concept.get("coding") or []:
            if coding.get("system") == CBO_TYPE:
                return coding.get("code")
    return None


def _identifier(resource: Resource, name: str) -> str | None:
    system = identifier_system(name)
    return next(
        (i.get("value") for i in resource.get("identifier") or [] if i.get("system") == system),
        None,
    )


def _member_id(patient: Resource) -> str:
    return _identifier(patient, "plan-member-id") or str(patient.get("id"))


def _plan_id(index: Resources, reference: dict[str, Any] | None) -> str | None:
    return _identifier(index.get(reference), "plan-id")


def _rating(patient: Resource) -> str | None:
    for extension in patient.get("extension") or []:
        if extension.get("url") == RATING:
            codings = (extension.get("valueCodeableConcept") or {}).get("coding") or []
            return codings[0].get("code") if codings else None
    return None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None
