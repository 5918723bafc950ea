"""FHIR date, dateTime and instant values as the UTC instant range they cover."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

MIN_INSTANT = datetime(1, 1, 1)
MAX_INSTANT = datetime(9999, 12, 31, 23, 59, 59, 999999)
_ONE_TICK = timedelta(microseconds=1)
_FHIR_DATE = re.compile(
    r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})"
    r"(T(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)

DateRange = tuple[datetime, datetime]


def parse_range(text: str) -> DateRange | None:
    """The [low, high] range (naive UTC, inclusive) a FHIR date value covers; None if invalid."""
    match = _FHIR_DATE.match(text.strip())
    if not match:
        return None
    try:
        return _range(match.groupdict())
    except ValueError:
        return None


def _range(parts: dict[str, str | None]) -> DateRange:
    year = int(parts["year"] or 0)
    if parts["month"] is None:
        return datetime(year, 1, 1), _end(datetime(year + 1, 1, 1) if year < 9999 else None)
    month = int(parts["month"])
    if parts["day"] is None:
        low = datetime(year, month, 1)
        following = datetime(year + month // 12, month % 12 + 1, 1) if year < 9999 else None
        return low, _end(following)
    day = int(parts["day"])
    if parts["hour"] is None:
        low = datetime(year, month, day)
        return low, _end(low + timedelta(days=1))
    return _time_range(year, month, day, parts)


def _time_range(year: int, month: int, day: int, parts: dict[str, str | None]) -> DateRange:
    fraction = parts["fraction"]
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    second = int(parts["second"] or 0)
    moment = datetime(year, month, day, int(parts["hour"] or 0), int(parts["minute"] or 0))
    moment = moment.replace(second=second, microsecond=micro)
    zone = parts["zone"]
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    if parts["second"] is None:
        return moment, moment + timedelta(minutes=1) - _ONE_TICK
    if fraction is None:
        return moment, moment + timedelta(seconds=1) - _ONE_TICK
    return moment, moment


def _end(following: datetime | None) -> datetime:
    return following - _ONE_TICK if following else MAX_INSTANT


def to_naive_utc(moment: datetime) -> datetime:
    """Stored instants are naive UTC so SQLite and PostgreSQL compare them the same way."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def to_aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def format_instant(moment: datetime) -> str:
    """A FHIR instant with microseconds and `Z`."""
    return to_naive_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
