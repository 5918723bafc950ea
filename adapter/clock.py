"""The one clock: every reading of the current date or time in the product goes through here.

Production code asks `now()` / `today()` (or a `Clock` handed to it) and never the system clock
directly; tests pin the clock with `pinned(...)` or `set_clock(FixedClock(...))`. Durations and
timeouts use `time.monotonic()`, which is not a reading of the date and stays outside.

A process can be started with a moved clock by `ADAPTER_CLOCK`: an instant
(`2029-07-01T00:00:00Z`) starts the clock there and lets it run; `offset:<seconds>` runs it that
far from the machine's clock (processes given the same offset agree); `fixed:<instant>` stops it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

CLOCK_VARIABLE = "ADAPTER_CLOCK"


class Clock(Protocol):
    """Anything that tells the current instant (timezone-aware, UTC)."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A stopped clock that moves only when told to."""

    def __init__(self, moment: dt.datetime | dt.date | str) -> None:
        self.moment = parse_instant(moment)

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)

    def set(self, moment: dt.datetime | dt.date | str) -> None:
        self.moment = parse_instant(moment)


class ShiftedClock:
    """The machine's clock moved by a fixed offset: it runs as the machine's does."""

    def __init__(self, offset: dt.timedelta) -> None:
        self.offset = offset

    @classmethod
    def starting_at(cls, start: dt.datetime | dt.date | str) -> ShiftedClock:
        """A running clock that reads `start` now."""
        return cls(parse_instant(start) - dt.datetime.now(dt.UTC))

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


def parse_instant(value: dt.datetime | dt.date | str) -> dt.datetime:
    """An aware UTC instant from a datetime, a date (its midnight UTC) or ISO 8601 text."""
    if isinstance(value, str):
        text = value.strip()
        value = (
            dt.date.fromisoformat(text)
            if len(text) == 10
            else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        )
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def clock_from_environment(environ: dict[str, str] | None = None) -> Clock:
    """The clock `ADAPTER_CLOCK` asks for; the system clock when it is unset."""
    setting = (environ if environ is not None else os.environ).get(CLOCK_VARIABLE, "").strip()
    if not setting:
        return SystemClock()
    if setting.startswith("fixed:"):
        return FixedClock(setting.removeprefix("fixed:"))
    if setting.startswith("offset:"):
        return ShiftedClock(dt.timedelta(seconds=float(setting.removeprefix("offset:"))))
    return ShiftedClock.starting_at(setting)


_current: Clock = clock_from_environment()


def current() -> Clock:
    """The clock the process runs on."""
    return _current


def set_clock(clock: Clock) -> Clock:
    """Make `clock` the process's clock; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def pinned(moment: dt.datetime | dt.date | str) -> Iterator[FixedClock]:
    """Run a block with the clock stopped at `moment` (it can be advanced inside)."""
    clock = FixedClock(moment)
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


def now() -> dt.datetime:
    """The current instant, timezone-aware UTC."""
    return _current.now()


def today() -> dt.date:
    """The current date in UTC."""
    return _current.now().date()


def utcnow_naive() -> dt.datetime:
    """The current instant as a naive UTC datetime, the form the store's columns keep."""
    return _current.now().replace(tzinfo=None)


def timestamp() -> float:
    """The current instant as seconds since the epoch (JWT `iat`/`exp`, cookie ages)."""
    return _current.now().timestamp()


def as_of_option(value: str | None, option: str = "--as-of") -> dt.date | None:
    """A command's evaluation-date option: None when not given; InvalidRequest (exit 2) when
    it is not a calendar date."""
    from adapter.errors import InvalidRequest

    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRequest(f"{option} must be a date like 2026-11-01, not {value!r}") from None
