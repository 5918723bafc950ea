"""Payers, Goals, Interventions / Plan of Treatment and Health Concerns entries as member items.

Each reader records in the ledger which entries it used and why it left any out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from adapter.records.ccda.codes import coding, quantity, words
from adapter.records.ccda.document import (
    Element,
    attr,
    find,
    first,
    hl7_date,
    hl7_stamp,
    iso,
    referenced_text,
    text,
    xpath_of,
)
from adapter.records.ccda.ledger import ENTRY_TEMPLATES, Ledger, template_of
from adapter.records.ccda.tables import by_code_or_words, tables

POLICY_ACTIVITY = "2.16.840.1.113883.10.20.22.4.61"
COVERAGE_ACTIVITY = "2.16.840.1.113883.10.20.22.4.60"
GOAL_OBSERVATION = "2.16.840.1.113883.10.20.22.4.121"
HEALTH_CONCERN_ACT = "2.16.840.1.113883.10.20.22.4.132"
_E = "2.16.840.1.113883.10.20.22.4."
# Planned entries and the FHIR request they stand for (CarePlan activity kind).
PLANNED_ENTRIES = {
    _E + "146": "ServiceRequest",  # Planned Intervention Act
    _E + "41": "ServiceRequest",  # Planned Procedure
    _E + "39": "ServiceRequest",  # Planned Act
    _E + "40": "Appointment",  # Planned Encounter
    _E + "44": "ServiceRequest",  # Planned Observation
    _E + "42": "MedicationRequest",  # Planned Medication Activity
    _E + "43": "DeviceRequest",  # Planned Supply
    _E + "120": "MedicationRequest",  # Planned Immunization Activity
    _E + "140": "ServiceRequest",  # Patient Referral Act
    _E + "130": "NutritionOrder",  # Nutrition Recommendation
}
PLANNED_STATUSES = {
    "new": "proposed",
    "active": "active",
    "held": "on-hold",
    "suspended": "on-hold",
    "completed": "completed",
    "cancelled": "revoked",
    "aborted": "revoked",
}
# What a Health Concern is about; priority preferences (4.143) say how much it matters.
CONCERN_VALUES = (
    f"hl7:entryRelationship/hl7:observation[not(hl7:templateId/@root='{_E}143')]/hl7:value"
)
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
Note = tuple[str, str]  # (XPath, message)
Located = tuple[dict[str, Any], str]  # (item, XPath of the entry it came from)


@dataclass(frozen=True)
class Author:
    """Who wrote an entry: the member, a team CC or LTS-C (staff id), or another named person."""

    kind: str | None  # member | cc | ltsc | care-team | None (no author)
    staff_id: str | None = None
    name: str | None = None


AuthorOf = Callable[[Element], Author]


def with_template(root: str) -> str:
    return f"//*[hl7:templateId/@root='{root}']"


def templates(element: Element) -> set[str]:
    return {attr(t, "root") for t in find(element, "hl7:templateId")}


def outermost(elements: list[Element], roots: set[str]) -> list[Element]:
    """Entries not nested inside another entry of the same kinds (those are read with it)."""
    return [e for e in elements if not any(templates(a) & roots for a in e.iterancestors())]


def entry_id(element: Element, fallback: str) -> str:
    """The entry's id extension as a plan-export id; the fallback when it has none."""
    ident = first(element, "hl7:id")
    raw = attr(ident, "extension") or attr(ident, "root") or fallback
    return _ID_UNSAFE.sub("-", raw)[:64].strip("-") or fallback


def coded_text(element: Element, path: str = "hl7:code") -> tuple[str, str]:
    """(code, words) of a CD: the sender's own words (originalText) first, else displayName."""
    cd = first(element, path)
    return attr(cd, "code"), words(cd)


def own_text(element: Element) -> str:
    """The entry's narrative: its text element's reference into the section, else its content."""
    node = first(element, "hl7:text")
    return (referenced_text(node) or text(node)) if node is not None else ""


# -- Payers -----------------------------------------------------------------------------------


def enrollments(root: Element, plan_id: str, ledger: Ledger) -> list[Located]:
    """Policy Activities of the Payers section as far as each carries an enrollment.

    A missing start or rating category stays None, for the member's stored record to fill.
    """
    found = []
    for policy in find(root, with_template(POLICY_ACTIVITY)):
        ledger.took(policy)
        period = first(policy, "hl7:effectiveTime")
        start = (
            hl7_date(first(period, "hl7:low")) or hl7_date(period) if period is not None else None
        )
        found.append(
            (
                {
                    "plan_id": payer_id(policy) or plan_id,
                    "start": iso(start),
                    "end": iso(hl7_date(first(period, "hl7:high"))) if period is not None else None,
                    "rating_category": rating_category(policy),
                },
                xpath_of(policy),
            )
        )
    for coverage in find(root, with_template(COVERAGE_ACTIVITY)):
        if not find(coverage, f".//*[hl7:templateId/@root='{POLICY_ACTIVITY}']"):
            ledger.left(coverage, "coverage activity without a policy activity")
    return found


def payer_id(policy: Element) -> str:
    return attr(first(policy, "hl7:performer/hl7:assignedEntity/hl7:id"), "extension")


def rating_category(policy: Element) -> str | None:
    code = tables()["rating_category_code"]
    value = first(policy, f".//hl7:observation[hl7:code/@code='{code}']/hl7:value")
    return attr(value, "code") or tables()["default_rating_category"] or None


# -- Goals ------------------------------------------------------------------------------------


def goals(root: Element, as_of: date, author_of: AuthorOf, ledger: Ledger) -> list[Located]:
    """Goal Observations as person-centered goals (GOALS); nested goals are their targets."""
    found: list[Located] = []
    seen: set[str] = set()
    elements = outermost(find(root, with_template(GOAL_OBSERVATION)), {GOAL_OBSERVATION})
    for n, element in enumerate(elements, start=1):
        item = goal(element, n, as_of, author_of)
        if item is None:
            ledger.left(element, "goal without text (value, narrative or code words)")
            continue
        ledger.took(element)
        if item["goal_id"] in seen:
            continue
        seen.add(item["goal_id"])
        found.append((item, xpath_of(element)))
    return found


def value_type(value: Element | None) -> str:
    if value is None:
        return ""
    return (value.get(_XSI_TYPE) or "").split(":")[-1].upper()


def goal(element: Element, n: int, as_of: date, author_of: AuthorOf) -> dict | None:
    """One goal: its text from the value (ST, CD), the narrative, else the code's words."""
    value = first(element, "hl7:value")
    kind = value_type(value)
    targets = goal_targets(element)
    stated = ""
    if kind in ("ST", "ED") or (value is not None and not kind and text(value)):
        stated = text(value)
    elif kind in ("CD", "CE", "CO", "CV"):
        stated = words(value)
    description = (
        stated
        or own_text(element)
        or text(first(element, "hl7:code/hl7:originalText"))
        or target_words(targets)
        or attr(first(element, "hl7:code"), "displayName")
    )
    if not description:
        return None
    period = first(element, "hl7:effectiveTime")
    start = hl7_date(first(period, "hl7:low")) or hl7_date(period) if period is not None else None
    due = hl7_date(first(period, "hl7:high")) if period is not None else None
    for target in targets:
        target["due"] = iso(due)
    status = attr(first(element, "hl7:statusCode"), "code")
    author = author_of(element)
    item = {
        "goal_id": entry_id(element, f"G-{n}"),
        "description": description[:1000],
        "category": by_code_or_words({}, tables()["goal_words"], None, description) or "health",
        "start": (start or as_of).isoformat(),
        "target_date": iso(due),
        "status": tables()["goal_statuses"].get(status, "active"),
        # A goal without author is the member's own (a care plan speaks for the member).
        "expressed_by": author.kind or "member",
    }
    if author.staff_id and author.kind in ("cc", "ltsc"):
        item["expressed_by_staff_id"] = author.staff_id
    if author.name and author.kind not in (None, "member"):
        item["expressed_by_name"] = author.name
    if targets:
        item["targets"] = targets
    return item


def goal_targets(element: Element) -> list[dict[str, Any]]:
    """Measured targets: the goal's own PQ / IVL_PQ value, and nested goal observations'.

    An interval with both ends is two targets on the same measure (at least low, at most
    high), which say the same as a Range and keep each bound's comparator explicit.
    """
    nested = "hl7:entryRelationship/hl7:observation[@moodCode='GOL'] | hl7:component/*"
    return [t for source in [element, *find(element, nested)] for t in measured_targets(source)]


def measured_targets(observation: Element) -> list[dict[str, Any]]:
    value = first(observation, "hl7:value")
    kind = value_type(value)
    code = first(observation, "hl7:code")
    measure = {"measure": coding(code), "measure_text": words(code) or None}
    if kind == "PQ" and quantity(value):
        return [{**measure, "quantity": quantity(value)}]
    if kind != "IVL_PQ":
        return []
    bounds = ((">=", first(value, "hl7:low")), ("<=", first(value, "hl7:high")))
    return [
        {**measure, "quantity": {**amount, "comparator": sign}}
        for sign, bound in bounds
        if (amount := quantity(bound))
    ]


def target_words(targets: list[dict[str, Any]]) -> str:
    """A goal stated only by its measure: "Oxygen saturation >= 92 %"."""
    for target in targets:
        measure = target.get("measure_text")
        amount = target.get("quantity")
        if measure and amount:
            sign = amount.get("comparator", "")
            return " ".join(p for p in (measure, sign, str(amount["value"]), amount["unit"]) if p)
    return ""


# -- Planned care -----------------------------------------------------------------------------


def planned_care(
    root: Element,
    as_of: date,
    recommender: Callable[[Element], str | None],
    author_of: AuthorOf,
    ledger: Ledger,
) -> tuple[list[Located], list[Located]]:
    """Planned entries: LTSS services an LTS-C recommends (RECOMMEND) and all other planned care.

    A Planned Intervention Act made of planned parts gives one activity per part (each also
    serving the intervention's goals); one without parts is an activity itself. An entry
    repeated under the same id is read once.
    """
    services: list[Located] = []
    activities: list[Located] = []
    seen: set[str] = set()
    elements = [e for r in PLANNED_ENTRIES for e in find(root, with_template(r))]
    ordered = sorted(set(elements), key=lambda e: xpath_key(xpath_of(e)))
    for n, planned in enumerate(ordered, start=1):
        ledger.took(planned)
        if INTERVENTION in templates(planned) and planned_parts(planned):
            continue
        described = coded_text(planned)[1] or product_words(planned) or own_text(planned)
        service = by_code_or_words({}, tables()["service_words"], coded_text(planned)[0], described)
        staff_id = recommender(planned) if service else None
        goal_ids = reasons(planned)
        if service and staff_id:
            item = recommendation(planned, n, service, staff_id, as_of, goal_ids)
            key, found = item["recommendation_id"], services
        else:
            item = planned_activity(planned, n, described, as_of, author_of, goal_ids)
            key, found = item["activity_id"], activities
        if key not in seen:
            seen.add(key)
            found.append((item, xpath_of(planned)))
    return services, activities


INTERVENTION = _E + "146"


def planned_parts(intervention: Element) -> list[Element]:
    return [
        e
        for e in intervention.iterdescendants()
        if isinstance(e.tag, str) and templates(e) & set(PLANNED_ENTRIES)
    ]


def reasons(planned: Element) -> list[str]:
    """Goal ids the entry serves (RSON), with those of the interventions it is part of."""
    owners = [planned] + [a for a in planned.iterancestors() if INTERVENTION in templates(a)]
    found = [
        entry_id(g, "")
        for owner in owners
        for g in find(owner, "hl7:entryRelationship[@typeCode='RSON']/*")
    ]
    return list(dict.fromkeys(g for g in found if g))


def xpath_key(xpath: str) -> list[Any]:
    """Document order for XPaths with 1-based positions."""
    return [int(p) if p.isdigit() else p for p in re.split(r"\[(\d+)\]", xpath)]


def product_words(planned: Element) -> str:
    """What a planned medication, immunization or supply names: its product's code words."""
    for path in (
        "hl7:consumable/hl7:manufacturedProduct/hl7:manufacturedMaterial/hl7:code",
        "hl7:product/hl7:manufacturedProduct/hl7:manufacturedMaterial/hl7:code",
        "hl7:participant[@typeCode='PRD']/hl7:participantRole/hl7:playingDevice/hl7:code",
    ):
        found = words(first(planned, path))
        if found:
            return found
    return ""


def planned_on(planned: Element, as_of: date) -> date:
    on = hl7_date(first(planned, "hl7:author/hl7:time")) or hl7_date(
        first(planned, "hl7:effectiveTime/hl7:low")
    )
    return on or hl7_date(first(planned, "hl7:effectiveTime")) or as_of


def recommendation(
    planned: Element, n: int, service: str, staff_id: str, as_of: date, goal_ids: list[str]
) -> dict:
    return {
        "recommendation_id": entry_id(planned, f"SR-{n}"),
        "service_type": service,
        "recommended_on": planned_on(planned, as_of).isoformat(),
        "recommended_by": staff_id,
        "goal_ids": goal_ids,
        "note": (coded_text(planned)[1] or own_text(planned) or None),
        "authorization": {"decision": "pending"},
        "fulfillment_status": "pending",
    }


def planned_activity(
    planned: Element,
    n: int,
    described: str,
    as_of: date,
    author_of: AuthorOf,
    goal_ids: list[str],
) -> dict[str, Any]:
    """Any other planned entry, with its code, words, time and who planned it."""
    root, name = template_of(planned)
    when = first(planned, "hl7:effectiveTime")
    stamp = hl7_stamp(first(when, "hl7:low")) or hl7_stamp(when) if when is not None else None
    author = author_of(planned)
    status = attr(first(planned, "hl7:statusCode"), "code")
    return {
        "activity_id": entry_id(planned, f"PA-{n}"),
        "template": name or ENTRY_TEMPLATES.get(root, "Planned entry"),
        "kind": PLANNED_ENTRIES.get(root, "ServiceRequest"),
        "code": coding(first(planned, "hl7:code")),
        "text": (described or name or "Planned care")[:1000],
        "status": PLANNED_STATUSES.get(status, "active"),
        "planned_on": planned_on(planned, as_of).isoformat(),
        "scheduled": stamp.fhir() if stamp else None,
        "planned_by": author.name if author.kind not in (None, "member") else None,
        "goal_ids": goal_ids,
    }


# -- Health concerns --------------------------------------------------------------------------


def ltss_needs(root: Element, as_of: date, author_of: AuthorOf, ledger: Ledger) -> list[Located]:
    """Health concerns showing an LTSS or behavioral-health need (AVAIL-LTSS)."""
    found = []
    for n, concern in enumerate(find(root, with_template(HEALTH_CONCERN_ACT)), start=1):
        values = find(concern, CONCERN_VALUES)
        described = [(attr(v, "code"), words(v) or text(v)) for v in values]
        category = next(
            (c for code, phrase in described if (c := need_category(code, phrase))), None
        )
        if category is None:
            ledger.left(concern, "health concern is no LTSS or behavioral-health need")
            continue
        ledger.took(concern)
        on = hl7_date(first(concern, "hl7:effectiveTime/hl7:low")) or as_of
        found.append(
            (
                {
                    "need_id": entry_id(concern, f"N-{n}"),
                    "identified_on": on.isoformat(),
                    "identified_by": "member"
                    if author_of(concern).kind == "member"
                    else "care-team",
                    "category": category,
                    "description": "; ".join(w for _, w in described if w)[:1000] or None,
                },
                xpath_of(concern),
            )
        )
    return found


def need_category(code: str, phrase: str) -> str | None:
    return by_code_or_words(tables()["concern_codes"], tables()["concern_words"], code, phrase)
