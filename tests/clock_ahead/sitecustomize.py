"""Moves the machine clock of every Python process of a test run (scripts/test-clock-ahead.sh).

Loaded at interpreter start through PYTHONPATH: with LTSC_TEST_CLOCK_AHEAD_SECONDS set, the
process's wall clock (time.time, datetime.now, ...) runs that many seconds ahead, as if the
machine's date were later; monotonic time is left alone, so timeouts behave. Processes started
at different moments agree, since each moves by the same offset.
"""

import os

_ahead = os.environ.get("LTSC_TEST_CLOCK_AHEAD_SECONDS")
if _ahead:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_ahead), tick=True).start()
