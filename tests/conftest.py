"""Suite-wide: every test process runs on the product clock moved to one fixed day.

The clock starts at TEST_CLOCK_START and runs; processes the tests start inherit the same offset
through ADAPTER_CLOCK, so they agree to the second. The machine's own date never matters.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest

from adapter import clock

TEST_CLOCK_START = "2026-11-23T12:00:00+00:00"


@pytest.fixture(autouse=True, scope="session")
def product_clock() -> Iterator[clock.Clock]:
    offset = clock.parse_instant(TEST_CLOCK_START) - dt.datetime.now(dt.UTC)
    previous_setting = os.environ.get(clock.CLOCK_VARIABLE)
    os.environ[clock.CLOCK_VARIABLE] = f"offset:{offset.total_seconds():.6f}"
    previous = clock.set_clock(clock.ShiftedClock(offset))
    yield clock.current()
    clock.set_clock(previous)
    if previous_setting is None:
        os.environ.pop(clock.CLOCK_VARIABLE, None)
    else:
        os.environ[clock.CLOCK_VARIABLE] = previous_setting
