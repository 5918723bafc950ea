"""A member on a given day: enrollment episodes, assigned staff, home county, age."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from adapter.rules.dates import add_days, parse_date, within

Record = dict[str, Any]


@dataclass(frozen=True)
class Episode:
    """One unbroken stretch of enrollment; a gap of a day or more starts the next episode."""

    number: int
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return within(day, self.start, self.end)


def enrollment_episodes(record: Record) -> list[Episode]:
    """Enrollment rows merged where one starts the day after (or before) the last one ends."""
    rows = sorted(
        (parse_date(e.get("start")), parse_date(e.get("end")))
        for e in record.get("enrollments") or []
        if e.get("start")
    )
    spans: list[list[date | None]] = []
    for start, end in rows:
        last = spans[-1] if spans else None
        if last and (last[1] is None or start <= add_days(last[1], 1)):
            last[1] = None if last[1] is None or end is None else max(last[1], end)
        else:
            spans.append([start, end])
    return [Episode(n, s, e) for n, (s, e) in enumerate(spans, start=1)]


def episode_on(episodes: Iterable[Episode], day: date) -> Episode | None:
    return next((e for e in episodes if e.covers(day)), None)


def rating_on(record: Record, day: date) -> str | None:
    """The rating category of the enrollment row in force on `day` (latest start wins)."""
    rows = [
        e
        for e in record.get("enrollments") or []
        if within(day, parse_date(e.get("start")), parse_date(e.get("end")))
    ]
    rows.sort(key=lambda e: e["start"])
    return rows[-1].get("rating_category") if rows else None


def assignment_on(assignments: Iterable[Record], day: date) -> Record | None:
    """The staff assignment in force on `day`; on a hand-over day the newer one wins."""
    current = [
        a for a in assignments if within(day, parse_date(a.get("start")), parse_date(a.get("end")))
    ]
    current.sort(key=lambda a: (a["start"], a.get("staff_id") or ""))
    return current[-1] if current else None


def care_coordinator_on(record: Record, day: date) -> str | None:
    """The CC on `day`, or else the most recent CC assigned before it."""
    rows = record.get("care_coordinator_assignments") or []
    current = assignment_on(rows, day)
    if current:
        return current["staff_id"]
    earlier = [a for a in rows if (parse_date(a.get("start")) or day) <= day]
    earlier.sort(key=lambda a: a.get("start") or "")
    return earlier[-1]["staff_id"] if earlier else None


def home_county(record: Record, day: date) -> str | None:
    """County of the home address in force on `day`, else of the latest home address."""
    addresses = (record.get("member") or {}).get("addresses") or []
    homes = [a for a in addresses if a.get("kind") == "home"]
    homes.sort(key=lambda a: (a.get("period") or {}).get("start") or "")
    for address in reversed(homes):
        period = address.get("period") or {}
        if within(day, parse_date(period.get("start")), parse_date(period.get("end"))):
            return address.get("county")
    return homes[-1].get("county") if homes else None


def date_of_death(record: Record) -> date | None:
    return parse_date((record.get("member") or {}).get("date_of_death"))


def member_id(record: Record) -> str:
    return str((record.get("member") or {}).get("member_id") or "")
