"""Calendar arithmetic for due dates: plain dates, no clocks, leap days handled once here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any


def parse_date(value: str | date | None) -> date | None:
    """A record date (`YYYY-MM-DD`, or the date part of an instant) or None."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def add_years(day: date, years: int) -> date:
    """Same calendar day `years` later; Feb 29 falls back to Feb 28 in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def days_between(start: date, end: date) -> int:
    return (end - start).days


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def within(day: date, start: date | None, end: date | None) -> bool:
    """Whether `day` lies in the closed period [start, end]; open ends are unbounded."""
    return (start is None or start <= day) and (end is None or day <= end)


def export_as_of(export: Mapping[str, Any]) -> date:
    """The day a plan export is evaluated as of: its `generated_at` (docs/rules.md)."""
    return date.fromisoformat(str(export["generated_at"])[:10])
