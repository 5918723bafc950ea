"""The REPORT figures: each group's cohort, populations, score and stratifiers, as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapter.reports import cohorts
from adapter.reports.cohorts import Fact, Inputs
from adapter.reports.rows import CBO_TYPES, RATING_CATEGORIES, TRIGGER_CODES

Stratum = tuple[str, str] | None  # (stratifier code, value) while counting inside a stratum

# Order strata the way the catalogue lists their codes; anything else follows, then "unknown".
STRATUM_ORDER = {
    "rating-category": RATING_CATEGORIES,
    "trigger": TRIGGER_CODES,
    "cbo-type": CBO_TYPES,
}


def stratum_values(stratifier: str, fact: Fact) -> list[str]:
    """The strata a fact falls in; CBO-type strata overlap (an offer can name several types)."""
    if stratifier == "cbo-type":
        return sorted(set(fact.get("cbo_types") or []))
    key = "rating_category" if stratifier == "rating-category" else "trigger"
    return [fact.get(key) or "unknown"]


@dataclass(frozen=True)
class Population:
    """A count within a group: its code, its Measure role, and which facts it counts."""

    code: str
    role: str | None  # measure-population role; None for a plain breakdown count
    counts: Callable[[Fact, Stratum], bool]


@dataclass(frozen=True)
class GroupSpec:
    """One figure of the Measure: the facts it looks at, what it counts, how it scores."""

    code: str
    cohort: Callable[[Inputs], list[Fact]]
    populations: tuple[Population, ...]
    stratifiers: tuple[str, ...]
    score: str | None = None  # ratio (numerator ÷ denominator) | median | p90 (days)


def _every(fact: Fact, stratum: Stratum) -> bool:
    return True


def _outcome(value: str | None) -> Callable[[Fact, Stratum], bool]:
    return lambda fact, stratum: fact["outcome"] == value


def _accepted(fact: Fact, stratum: Stratum) -> bool:
    """Inside a CBO-type stratum an acceptance counts only when the chosen CBO is of that type."""
    if fact["outcome"] != "accepted":
        return False
    return stratum is None or stratum[0] != "cbo-type" or fact["chosen_cbo_type"] == stratum[1]


def _on_time_90(fact: Fact, stratum: Stratum) -> bool:
    return fact["offered_on"] is not None and fact["offered_on"] <= fact["window_end"]


def _by_due(fact: Fact, stratum: Stratum) -> bool:
    return fact["offered_on"] is not None and fact["offered_on"] <= fact["due"]


def _decided(fact: Fact, stratum: Stratum) -> bool:
    return fact["outcome"] is not None


def _two_choices(fact: Fact, stratum: Stratum) -> bool:
    return fact["choices"] >= 2


def _single(code: str) -> tuple[Population, ...]:
    return (Population(code, "initial-population", _every),)


RATING, TRIGGER, CBO = "rating-category", "trigger", "cbo-type"

GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("members-enrolled", cohorts.members_enrolled, _single("members-enrolled"), (RATING,)),
    GroupSpec("offers-due", cohorts.offers_due, _single("offers-due"), (RATING, TRIGGER)),
    GroupSpec("offers-made", cohorts.offers_made, _single("offers-made"), (RATING, TRIGGER, CBO)),
    GroupSpec(
        "offer-90",
        cohorts.offer_90_windows,
        (
            Population("offer-90-due", "denominator", _every),
            Population("offer-90-on-time", "numerator", _on_time_90),
        ),
        (RATING,),
        "ratio",
    ),
    GroupSpec(
        "assess-offers",
        cohorts.assessment_offers,
        (
            Population("assess-due", "denominator", _every),
            Population("assess-on-time", "numerator", _by_due),
        ),
        (RATING,),
        "ratio",
    ),
    GroupSpec(
        "uptake",
        cohorts.offers_made,
        (
            Population("offers-decided", "denominator", _decided),
            Population("accepted", "numerator", _accepted),
            Population("declined", None, _outcome("declined")),
            Population("no-response", None, _outcome("no-response")),
            Population("pending", None, _outcome(None)),
        ),
        (RATING, TRIGGER, CBO),
        "ratio",
    ),
    GroupSpec(
        "days-to-offer-median",
        cohorts.first_offers,
        _single("members-first-offer"),
        (RATING,),
        "median",
    ),
    GroupSpec(
        "days-to-offer-p90", cohorts.first_offers, _single("members-first-offer"), (RATING,), "p90"
    ),
    GroupSpec("overdue-open", cohorts.overdue_open, _single("overdue-open"), (RATING, TRIGGER)),
    GroupSpec(
        "choice-two",
        cohorts.members_offered,
        (
            Population("members-offered", "denominator", _every),
            Population("members-two-choices", "numerator", _two_choices),
        ),
        (RATING,),
        "ratio",
    ),
)

SCORE_UNITS = {"ratio": "ratio", "median": "days", "p90": "days"}


def group_spec(code: str) -> GroupSpec:
    return next(g for g in GROUPS if g.code == code)


def population_role(group: str, population: str) -> str | None:
    return next(p.role for p in group_spec(group).populations if p.code == population)


def ordered_strata(stratifier: str, values: set[str]) -> list[str]:
    known = STRATUM_ORDER.get(stratifier, ())
    return sorted(values, key=lambda v: (v == "unknown", v not in known, _index(known, v), v))


def _index(known: tuple[str, ...], value: str) -> int:
    return known.index(value) if value in known else len(known)
