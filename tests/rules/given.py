"""Builders for rule scenarios: a small directory in Worcester County and one member."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from adapter.rules import RuleSettings, evaluate_member


def cbo(cbo_id: str, kind: str, area: list[str], end: str | None = None) -> dict[str, Any]:
    return {
        "cbo_id": cbo_id,
        "name": f"{cbo_id} Center",
        "type": kind,
        "service_area": area,
        "phone": "508-555-0100",
        "contract": {"start": "2019-01-01", "end": end},
    }


def ltsc(staff_id: str, cbo_id: str, languages=("en",), **extra: Any) -> dict[str, Any]:
    return {
        "staff_id": staff_id,
        "cbo_id": cbo_id,
        "name": {"given": ["Sam"], "family": staff_id.title()},
        "phone": "508-555-0" + staff_id[-3:],
        "email": f"{staff_id.lower()}@cbo.example.org",
        "languages": list(languages),
        "time_off": [],
        "active": True,
        **extra,
    }


def directory() -> dict[str, Any]:
    """Three CBOs serve Worcester (ILC, RLC, ASAP); one ILC serves Suffolk only."""
    return {
        "cbos": [
            cbo("WCIL", "ILC", ["Worcester"]),
            cbo("WRLC", "RLC", ["Worcester", "Hampden"]),
            cbo("WASAP", "ASAP", ["Worcester"]),
            cbo("BCIL", "ILC", ["Suffolk"]),
        ],
        "ltsc_staff": [
            ltsc("LTSC-001", "WCIL"),
            ltsc("LTSC-002", "WRLC"),
            ltsc("LTSC-003", "WASAP"),
            ltsc("LTSC-004", "BCIL"),
            ltsc("LTSC-005", "WCIL", languages=("en", "pt")),
        ],
        "care_coordinators": [
            {"staff_id": "CC-001", "name": {"given": ["Ana"], "family": "Cruz"}, "active": True},
            {"staff_id": "CC-002", "name": {"given": ["Ben"], "family": "Ode"}, "active": True},
        ],
        "vendors": [{"vendor_id": "V-1", "name": "Home Care One"}],
    }


def member(enrolled: str = "2026-03-01", rating: str = "C2", **lists: Any) -> dict[str, Any]:
    """A member of 55 living in Worcester, enrolled on `enrolled` with CC-001."""
    record: dict[str, Any] = {
        "member": {
            "member_id": "M1",
            "birth_date": "1971-03-14",
            "preferred_language": "en",
            "addresses": [
                {"kind": "home", "county": "Worcester", "period": {"start": "2020-01-01"}}
            ],
            "date_of_death": None,
        },
        "enrollments": [
            {"plan_id": "P", "start": enrolled, "end": None, "rating_category": rating}
        ],
        "care_coordinator_assignments": [{"staff_id": "CC-001", "start": enrolled, "end": None}],
    }
    for name in (
        "ltsc_assignments",
        "assessments",
        "agency_involvement",
        "ltss_needs",
        "institutional_admissions",
        "ltsc_requests",
        "offers",
        "consents",
        "goals",
        "service_recommendations",
        "status_events",
        "communications",
    ):
        record[name] = copy.deepcopy(lists.get(name, []))
    return record


def offer(offer_id: str, trigger: str, offered_on: str, outcome: str | None = None, **extra):
    return {
        "offer_id": offer_id,
        "trigger": trigger,
        "offered_on": offered_on,
        "choices": ["LTSC-001", "LTSC-002"],
        "fewer_choices_reason": None,
        "outcome": outcome,
        "outcome_date": extra.pop("outcome_date", None),
        "chosen_staff_id": extra.pop("chosen", None),
        **extra,
    }


def evaluate(record: dict, as_of: str, staff: dict | None = None, **settings: Any) -> dict:
    rules = RuleSettings(**settings)
    return evaluate_member(record, staff or directory(), date.fromisoformat(as_of), rules)


def only_offer(facts: dict) -> dict:
    assert len(facts["offers"]) == 1, facts["offers"]
    return facts["offers"][0]


def codes(offer_fact: dict) -> list[str]:
    return [t["code"] for t in offer_fact["triggers"]]
