"""Running each CBO poller when its interval has passed, between the worker's rounds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from adapter.exchange.polling import PollReport, TaskPoller

log = logging.getLogger(__name__)


class PollSchedule:
    def __init__(
        self, pollers: list[TaskPoller], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.pollers = pollers
        self.clock = clock
        self.due = dict.fromkeys(range(len(pollers)), 0.0)

    def run_due(self) -> list[PollReport]:
        """Poll every partner whose interval has passed; a failing partner is only logged."""
        reports = []
        for index, poller in enumerate(self.pollers):
            if self.clock() < self.due[index]:
                continue
            report = poller.poll_once()
            self.due[index] = self.clock() + poller.poll.interval_s
            if report.error or report.refused:
                log.warning("polling %s: %s", poller.partner.id, report)
            reports.append(report)
        return reports
