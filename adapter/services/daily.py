"""Time passes on its own: the member re-evaluation run once a day by a long-running process.

The worker calls `run_if_due()` between delivery rounds and the service from a background
thread; whichever looks first after midnight (UTC, product clock) runs the day's re-evaluation,
and the others find it done. A second run on the same day would write nothing anyway.
"""

from __future__ import annotations

import logging
import threading
import time

from adapter import clock
from adapter.services.member_service import MemberService
from adapter.services.model import ReevaluationReport

log = logging.getLogger(__name__)


class DailyReevaluation:
    """Runs `MemberService.reevaluate` when the last run was as of an earlier day."""

    def __init__(self, service: MemberService, check_every_s: float) -> None:
        self.service = service
        self.check_every_s = check_every_s
        self._next_check = 0.0

    def run_if_due(self) -> ReevaluationReport | None:
        """The day's run when it was due and has now run; None when not yet time to look or
        when today's run had already happened."""
        if self.check_every_s <= 0 or time.monotonic() < self._next_check:
            return None
        self._next_check = time.monotonic() + self.check_every_s
        today = clock.today()
        last = self.service.last_reevaluation()
        if last is not None and last["as_of"] >= today.isoformat():
            return None
        report = self.service.reevaluate(today)
        log.info(
            "re-evaluated %d members as of %s: %d changed, %d resources written, %d failed",
            report.members_checked,
            report.as_of,
            report.members_changed,
            report.resources_written,
            report.members_failed,
        )
        return report

    def run_in_background(self, stop: threading.Event) -> threading.Thread:
        """Look every `check_every_s` seconds on a daemon thread until `stop` is set."""

        def loop() -> None:
            while not stop.is_set():
                try:
                    self.run_if_due()
                except Exception:  # a failed run is logged and tried again at the next look
                    log.exception("the daily re-evaluation failed")
                stop.wait(min(self.check_every_s, 60.0))

        thread = threading.Thread(target=loop, name="daily-reevaluation", daemon=True)
        thread.start()
        return thread
