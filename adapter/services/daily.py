"""Time passes on its own: the member re-evaluation run once a day by a long-running process.

The worker calls `run_if_due()` between delivery rounds and the service from a process of its
own beside gunicorn's workers (`run_beside`); whichever looks first after midnight (UTC,
product clock) runs the day's re-evaluation, and the others find it done. A second run on the
same day would write nothing anyway.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from adapter import clock
from adapter.config import Settings
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

    def run_while(self, keep_going: Callable[[], bool]) -> None:
        """Look every `check_every_s` seconds while `keep_going()` says so."""
        while keep_going():
            try:
                self.run_if_due()
            except Exception:  # a failed run is logged and tried again at the next look
                log.exception("the daily re-evaluation failed")
            time.sleep(min(self.check_every_s, 1.0))


def run_beside(settings: Settings, parent_pid: int) -> None:
    """The entry point of the process the FHIR service starts for the daily re-evaluation;
    it ends when its parent does."""
    from adapter.store import open_store

    logging.basicConfig(level=settings.log_level)
    store = open_store(settings.database_url)
    try:
        service = MemberService(store, settings)
        daily = DailyReevaluation(service, settings.reevaluate_check_minutes * 60)
        daily.run_while(lambda: os.getppid() == parent_pid)
    finally:
        store.close()
