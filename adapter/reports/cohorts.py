"""Which rows each REPORT figure counts for a period (the definitions of docs/reports.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from adapter.reports.rows import (
    ASSESS_RATINGS,
    OFFER_WINDOW_DAYS,
    MemberRow,
    OfferRow,
    all_triggers,
    within,
)

Fact = dict[str, Any]


@dataclass(frozen=True)
class Inputs:
    """One plan's (or every plan's) rows and the period, both ends included."""

    members: list[MemberRow]
    offers: list[OfferRow]
    start: date
    end: date
    episodes: dict[str, list[MemberRow]] = field(init=False)
    offers_of: dict[str, list[OfferRow]] = field(init=False)

    def __post_init__(self) -> None:
        episodes: dict[str, list[MemberRow]] = defaultdict(list)
        offers_of: dict[str, list[OfferRow]] = defaultdict(list)
        for member in self.members:
            episodes[member["member_id"]].append(member)
        for offer in self.offers:
            offers_of[offer["member_id"]].append(offer)
        object.__setattr__(self, "episodes", dict(episodes))
        object.__setattr__(self, "offers_of", dict(offers_of))

    def enrolled_on(self, member_id: str, day: date) -> bool:
        return any(_covers(m, day) for m in self.episodes.get(member_id, []))


def _covers(member: MemberRow, day: date) -> bool:
    end = member["enrollment_end"]
    return member["enrollment_start"] <= day and (end is None or day <= end)


def _overlaps(member: MemberRow, start: date, end: date) -> bool:
    last = member["enrollment_end"]
    return member["enrollment_start"] <= end and (last is None or last >= start)


def members_enrolled(i: Inputs) -> list[Fact]:
    """Members enrolled on any day of the period; the latest such episode gives the rating."""
    latest: dict[str, Fact] = {}
    for member in sorted(i.members, key=lambda m: m["enrollment_start"]):
        if _overlaps(member, i.start, i.end):
            latest[member["member_id"]] = dict(member)
    return list(latest.values())


def offers_due(i: Inputs) -> list[Fact]:
    """Offers whose due date falls in the period, made or not."""
    return [dict(o) for o in i.offers if within(o["due"], i.start, i.end)]


def offers_made(i: Inputs) -> list[Fact]:
    """Offers made (offered_on) in the period, whatever their due date."""
    return [dict(o) for o in i.offers if within(o["offered_on"], i.start, i.end)]


def offer_90_window_end(offer: OfferRow | Fact) -> date:
    """OFFER-90: the 90th day after enrollment (the first trigger date is the enrollment start)."""
    return offer["trigger_date"] + timedelta(days=OFFER_WINDOW_DAYS)


def offer_90_windows(i: Inputs) -> list[Fact]:
    """OFFER-90 offers of members whose 90th day after enrollment falls in the period."""
    return [
        dict(o, window_end=offer_90_window_end(o))
        for o in i.offers
        if o["trigger"] == "OFFER-90" and within(offer_90_window_end(o), i.start, i.end)
    ]


def assessment_offers(i: Inputs) -> list[Fact]:
    """AVAIL-ASSESS offers of C3/F1 members due (at the assessment) in the period."""
    return [
        dict(o)
        for o in i.offers
        if "AVAIL-ASSESS" in all_triggers(o)
        and o["rating_category"] in ASSESS_RATINGS
        and within(o["due"], i.start, i.end)
    ]


def overdue_open(i: Inputs) -> list[Fact]:
    """Offers past due on the period's last day, not made by then, for members still enrolled."""
    return [
        dict(o)
        for o in i.offers
        if o["due"] < i.end
        and not (o["offered_on"] and o["offered_on"] <= i.end)
        and i.enrolled_on(o["member_id"], i.end)
    ]


def first_offers(i: Inputs) -> list[Fact]:
    """Episodes whose first offer (on or after enrollment) was made in the period, with the days."""
    facts = []
    for member in i.members:
        made = [
            o["offered_on"]
            for o in i.offers_of.get(member["member_id"], [])
            if o["offered_on"] and _covers(member, o["offered_on"])
        ]
        first = min(made, default=None)
        if first and within(first, i.start, i.end):
            days = (first - member["enrollment_start"]).days
            facts.append({**member, "offered_on": first, "days": days})
    return facts


def members_offered(i: Inputs) -> list[Fact]:
    """Members offered an LTS-C in the period, with the most choices any of those offers gave."""
    by_member: dict[str, list[Fact]] = defaultdict(list)
    for offer in offers_made(i):
        by_member[offer["member_id"]].append(offer)
    facts = []
    for member_id, offers in sorted(by_member.items()):
        latest = max(offers, key=lambda o: o["offered_on"])
        most = max(o["choices"] for o in offers)
        rating = latest["rating_category"]
        facts.append({"member_id": member_id, "rating_category": rating, "choices": most})
    return facts
