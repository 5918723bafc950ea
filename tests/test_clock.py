"""The one clock: its forms, ADAPTER_CLOCK, and no other reading of the time in the product."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from adapter import clock
from adapter.errors import InvalidRequest

PRODUCT = Path(__file__).resolve().parents[1] / "adapter"
WALL_CLOCK = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")


def test_nothing_but_the_clock_reads_the_time():
    readers = [
        f"{path.relative_to(PRODUCT.parent)}:{number}"
        for path in PRODUCT.rglob("*.py")
        if path.name != "clock.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WALL_CLOCK.search(line)
    ]
    assert readers == []


def test_pinned_clock_stops_and_moves_only_when_told():
    with clock.pinned("2031-02-28") as pinned:
        assert clock.now() == dt.datetime(2031, 2, 28, tzinfo=dt.UTC)
        pinned.advance(days=1)
        assert clock.today() == dt.date(2031, 3, 1)
        assert clock.utcnow_naive() == dt.datetime(2031, 3, 1)
    assert clock.today() != dt.date(2031, 3, 1)


@pytest.mark.parametrize(
    ("setting", "expected_day"),
    [
        ("fixed:2029-07-01T10:00:00Z", dt.date(2029, 7, 1)),
        ("2029-07-01T23:59:00-04:00", dt.date(2029, 7, 2)),
        ("", None),
    ],
)
def test_adapter_clock_setting(setting, expected_day):
    moved = clock.clock_from_environment({clock.CLOCK_VARIABLE: setting})
    if expected_day is None:
        assert isinstance(moved, clock.SystemClock)
    else:
        assert moved.now().date() == expected_day


def test_processes_given_the_same_offset_agree():
    first = clock.clock_from_environment({clock.CLOCK_VARIABLE: "offset:86400"})
    second = clock.clock_from_environment({clock.CLOCK_VARIABLE: "offset:86400"})
    assert abs((first.now() - second.now()).total_seconds()) < 1
    assert abs((first.now() - clock.SystemClock().now()).total_seconds() - 86400) < 1


def test_as_of_option():
    assert clock.as_of_option(None) is None
    assert clock.as_of_option("2028-02-29") == dt.date(2028, 2, 29)
    with pytest.raises(InvalidRequest, match="--as-of must be a date like 2026-11-01"):
        clock.as_of_option("2027-02-29")
