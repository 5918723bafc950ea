"""Payers, Goals, Interventions / Plan of Treatment and Health Concerns sections as member items."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from adapter.records.ccda.document import (
    CcdaError,
    Element,
    attr,
    find,
    first,
    hl7_date,
    iso,
    text,
    xpath_of,
)
from adapter.records.ccda.tables import by_code_or_words, tables

POLICY_ACTIVITY = "2.16.840.1.113883.10.20.22.4.61"
GOAL_OBSERVATION = "2.16.840.1.113883.10.20.22.4.121"
PLANNED_ENTRIES = (
    "2.16.840.1.113883.10.20.22.4.146",  # Planned Intervention Act
    "2.16.840.1.113883.10.20.22.4.41",  # Planned Procedure
    "2.16.840.1.113883.10.20.22.4.39",  # Planned Act
)
HEALTH_CONCERN_ACT = "2.16.840.1.113883.10.20.22.4.132"
KNOWN_SECTIONS = {
    "2.16.840.1.113883.10.20.22.2.500": "Care Teams",
    "2.16.840.1.113883.10.20.22.2.18": "Payers",
    "2.16.840.1.113883.10.20.22.2.58": "Health Concerns",
    "2.16.840.1.113883.10.20.22.2.60": "Goals",
    "2.16.840.1.113883.10.20.21.2.3": "Interventions",
    "2.16.840.1.113883.10.20.22.2.10": "Plan of Treatment",
}
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
Note = tuple[str, str]  # (XPath, message)
Located = tuple[dict[str, Any], str]  # (item, XPath of the entry it came from)


def with_template(root: str) -> str:
    return f"//*[hl7:templateId/@root='{root}']"


def entry_id(element: Element, fallback: str) -> str:
    """The entry's id extension as a plan-export id; the fallback when it has none."""
    ident = first(element, "hl7:id")
    raw = attr(ident, "extension") or attr(ident, "root") or fallback
    return _ID_UNSAFE.sub("-", raw)[:64]


def coded_text(element: Element, path: str = "hl7:code") -> tuple[str, str]:
    """(code, words) of a CD: the sender's own words (originalText) first, else displayName."""
    cd = first(element, path)
    if cd is None:
        return "", ""
    return attr(cd, "code"), text(first(cd, "hl7:originalText")) or attr(cd, "displayName")


def unknown_sections(root: Element) -> list[Note]:
    """Sections the reader does not map: ignored, with an information note each."""
    notes = []
    for section in find(root, "hl7:component/hl7:structuredBody/hl7:component/hl7:section"):
        roots = {attr(t, "root") for t in find(section, "hl7:templateId")}
        if not roots & KNOWN_SECTIONS.keys():
            title = text(first(section, "hl7:title")) or attr(first(section, "hl7:code"), "code")
            notes.append((xpath_of(section), f"section {title or '(untitled)'} ignored"))
    return notes


def enrollments(root: Element, plan_id: str) -> list[Located]:
    """Policy Activities of the Payers section; the rating category comes from its observation."""
    found = []
    for policy in find(root, with_template(POLICY_ACTIVITY)):
        start = hl7_date(first(policy, "hl7:effectiveTime/hl7:low"))
        if start is None:
            raise CcdaError(xpath_of(policy), "policy activity without effectiveTime/low")
        found.append(
            (
                {
                    "plan_id": payer_id(policy) or plan_id,
                    "start": start.isoformat(),
                    "end": iso(hl7_date(first(policy, "hl7:effectiveTime/hl7:high"))),
                    "rating_category": rating_category(policy),
                },
                xpath_of(policy),
            )
        )
    return found


def payer_id(policy: Element) -> str:
    ident = first(policy, "hl7:performer/hl7:assignedEntity/hl7:id")
    return attr(ident, "extension")


def rating_category(policy: Element) -> str:
    code = tables()["rating_category_code"]
    value = first(policy, f".//hl7:observation[hl7:code/@code='{code}']/hl7:value")
    category = attr(value, "code") or tables()["default_rating_category"]
    if not category:
        raise CcdaError(xpath_of(policy), "no rating category observation in the policy activity")
    return category


def goals(
    root: Element, as_of: date, author_role: Callable[[Element], str | None]
) -> list[Located]:
    """Goal Observations as person-centered goals (GOALS)."""
    return [
        (goal(element, n, as_of, author_role), xpath_of(element))
        for n, element in enumerate(find(root, with_template(GOAL_OBSERVATION)), start=1)
    ]


def goal(
    element: Element, n: int, as_of: date, author_role: Callable[[Element], str | None]
) -> dict:
    description = coded_text(element)[1] or text(first(element, "hl7:value"))
    period = first(element, "hl7:effectiveTime")
    start = hl7_date(first(period, "hl7:low")) if period is not None else None
    status = attr(first(element, "hl7:statusCode"), "code")
    category = by_code_or_words({}, tables()["goal_words"], None, description)
    return {
        "goal_id": entry_id(element, f"G-{n}"),
        "description": description,
        "category": category or "health",
        "start": (start or hl7_date(period) or as_of).isoformat(),
        "target_date": iso(hl7_date(first(period, "hl7:high"))) if period is not None else None,
        "status": tables()["goal_statuses"].get(status, "active"),
        # A care plan's goals are the member's own unless a CC or LTS-C is named as author.
        "expressed_by": author_role(element) or "member",
    }


def service_recommendations(
    root: Element, as_of: date, recommender: Callable[[Element], str | None]
) -> tuple[list[Located], list[Note]]:
    """Planned interventions naming an LTSS service (RECOMMEND), recommended by an LTS-C."""
    found, notes = [], []
    entries = [e for r in PLANNED_ENTRIES for e in find(root, with_template(r))]
    for n, planned in enumerate(entries, start=1):
        code, words = coded_text(planned)
        service = by_code_or_words({}, tables()["service_words"], code, words)
        staff_id = recommender(planned)
        if service is None or staff_id is None:
            why = "names no LTSS service" if service is None else "has no LTS-C recommender"
            notes.append((xpath_of(planned), f"planned entry {why}; not mapped"))
            continue
        found.append((recommendation(planned, n, service, staff_id, as_of), xpath_of(planned)))
    return found, notes


def recommendation(planned: Element, n: int, service: str, staff_id: str, as_of: date) -> dict:
    on = hl7_date(first(planned, "hl7:author/hl7:time")) or hl7_date(
        first(planned, "hl7:effectiveTime/hl7:low")
    )
    on = on or hl7_date(first(planned, "hl7:effectiveTime")) or as_of
    goal_ids = [entry_id(g, "") for g in find(planned, "hl7:entryRelationship[@typeCode='RSON']/*")]
    return {
        "recommendation_id": entry_id(planned, f"SR-{n}"),
        "service_type": service,
        "recommended_on": on.isoformat(),
        "recommended_by": staff_id,
        "goal_ids": [g for g in goal_ids if g],
        "note": coded_text(planned)[1] or None,
        "authorization": {"decision": "pending"},
        "fulfillment_status": "pending",
    }


def ltss_needs(
    root: Element, as_of: date, author_role: Callable[[Element], str | None]
) -> tuple[list[Located], list[Note]]:
    """Health concerns showing an LTSS or behavioral-health need (AVAIL-LTSS)."""
    found, notes = [], []
    for n, concern in enumerate(find(root, with_template(HEALTH_CONCERN_ACT)), start=1):
        values = find(concern, "hl7:entryRelationship/hl7:observation/hl7:value")
        described = [(attr(v, "code"), attr(v, "displayName") or text(v)) for v in values]
        category = next(
            (
                c
                for code, words in described
                if (
                    c := by_code_or_words(
                        tables()["concern_codes"], tables()["concern_words"], code, words
                    )
                )
            ),
            None,
        )
        if category is None:
            notes.append((xpath_of(concern), "health concern is no LTSS or behavioral-health need"))
            continue
        on = hl7_date(first(concern, "hl7:effectiveTime/hl7:low")) or as_of
        found.append(
            (
                {
                    "need_id": entry_id(concern, f"N-{n}"),
                    "identified_on": on.isoformat(),
                    "identified_by": "member" if author_role(concern) == "member" else "care-team",
                    "category": category,
                    "description": "; ".join(w for _, w in described if w) or None,
                },
                xpath_of(concern),
            )
        )
    return found, notes


def need_category(code: str, words: str) -> str | None:
    return by_code_or_words(tables()["concern_codes"], tables()["concern_words"], code, words)
