"""HL7 v3 TS values at every precision CDA allows, with or without a zone, as FHIR times.

A TS is `YYYY[MM[DD[HH[MM[SS[.F+]]]]]][+|-ZZZZ]`. A time the sender gave without a zone is read
in the tables' `default_time_zone` (where One Care members live); a date stays a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapter.records.ccda.tables import tables

_TS = re.compile(
    r"^(?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?"
    r"(?P<hour>\d{2})?(?P<minute>\d{2})?(?P<second>\d{2})?(?:\.(?P<fraction>\d{1,6}))?"
    r"(?P<zone>[+-]\d{4})?$"
)


class BadTimestamp(ValueError):
    """The value is not an HL7 TS."""


@dataclass(frozen=True)
class Stamp:
    """One TS: the calendar day it falls on (in its own zone) and the instant when it has a time."""

    day: date
    moment: datetime | None  # aware, only when the TS has at least an hour
    precision: str  # year | month | day | hour | minute | second

    def fhir(self) -> str:
        """FHIR dateTime at the TS's own precision (YYYY, YYYY-MM, date, or time with offset)."""
        if self.moment is not None:
            return iso_instant(self.moment)
        if self.precision == "year":
            return f"{self.day.year:04d}"
        if self.precision == "month":
            return f"{self.day.year:04d}-{self.day.month:02d}"
        return self.day.isoformat()

    def instant(self) -> str:
        """An instant (time and offset always), midnight in the default zone for a date."""
        if self.moment is not None:
            return iso_instant(self.moment)
        midnight = datetime(self.day.year, self.day.month, self.day.day, tzinfo=default_zone())
        return iso_instant(midnight)


def iso_instant(moment: datetime) -> str:
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def default_zone() -> ZoneInfo | timezone:
    name = tables().get("default_time_zone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_ts(raw: str) -> Stamp:
    """A TS value; BadTimestamp when it is not one (or names no real day or time)."""
    found = _TS.match(raw.strip())
    if not found:
        raise BadTimestamp(raw)
    parts = found.groupdict()
    precision = next((p for p in ("second", "minute", "hour", "day", "month") if parts[p]), "year")
    try:
        day = date(int(parts["year"]), int(parts["month"] or 1), int(parts["day"] or 1))
        if precision in ("year", "month", "day"):
            return Stamp(day, None, precision)
        fraction = (parts["fraction"] or "0").ljust(6, "0")
        local = datetime(
            day.year,
            day.month,
            day.day,
            int(parts["hour"]),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
        )
    except ValueError:
        raise BadTimestamp(raw) from None
    zone = _zone(parts["zone"]) if parts["zone"] else default_zone()
    moment = local.replace(tzinfo=zone)
    return Stamp(moment.date(), moment, precision)


def _zone(text: str) -> timezone:
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[3:5])
    if hours > 14 or minutes > 59:
        raise BadTimestamp(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
