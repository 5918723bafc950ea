"""The plain rows every report figure is computed from: one per enrollment, one per LTS-C offer."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from adapter.rules.triggers import ASSESS_RATINGS, OFFER_WINDOW_DAYS, TRIGGER_CODES

CBO_TYPES = ("ILC", "RLC", "ASAP", "other")  # CBO-TYPES
RATING_CATEGORIES = ("F1", "C3", "C2", "C1")  # catalogue order; C3/F1 are AVAIL-ASSESS's

__all__ = [
    "ASSESS_RATINGS",
    "CBO_TYPES",
    "OFFER_WINDOW_DAYS",
    "RATING_CATEGORIES",
    "TRIGGER_CODES",
    "MemberRow",
    "OfferRow",
    "all_triggers",
    "for_plan",
    "within",
]


class MemberRow(TypedDict):
    """One enrollment episode; a member who re-enrolled after a gap has one row per episode."""

    member_id: str
    plan_id: str | None
    rating_category: str | None
    enrollment_start: date
    enrollment_end: date | None  # last day enrolled (the date of death when earlier)


class _OfferRequired(TypedDict):
    member_id: str
    plan_id: str | None
    trigger: str  # the first trigger the offer answers
    trigger_date: date
    due: date
    offered_on: date | None
    outcome: str | None
    outcome_date: date | None
    choices: int  # LTS-Cs offered (CHOICE-TWO); 0 until the offer is made
    cbo_types: list[str]  # types of the CBOs offered
    chosen_cbo_type: str | None
    rating_category: str | None


class OfferRow(_OfferRequired, total=False):
    """One LTS-C offer, due or made; `triggers` lists every trigger it answers (first first)."""

    triggers: list[str]


def all_triggers(offer: OfferRow | dict[str, Any]) -> list[str]:
    """Every trigger an offer answers; rows without `triggers` answer only their first."""
    return list(offer.get("triggers") or [offer["trigger"]])


def for_plan(rows: list[Any], plan_id: str | None) -> list[Any]:
    return rows if plan_id is None else [r for r in rows if r.get("plan_id") == plan_id]


def within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end
