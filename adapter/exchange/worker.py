"""The delivery worker: lease due outbox items, send them, settle each one."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from adapter.errors import AdapterError
from adapter.exchange import outbox
from adapter.exchange.delivery import DELIVERED, Verdict, failure
from adapter.exchange.outbox import OutboxItem
from adapter.exchange.retry import RetryPolicy

log = logging.getLogger(__name__)


class Destination(Protocol):
    def deliver(self, items: list[OutboxItem]) -> dict[int, Verdict]: ...


@dataclass
class RoundReport:
    """What one round of the worker did."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lost_leases: int = 0

    def add(self, other: RoundReport) -> None:
        for name in ("claimed", "delivered", "retried", "dead", "lost_leases"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# Answers by which a partner says it is overloaded as a whole, not that one item failed.
THROTTLE_STATUSES = frozenset({429, 503})
# A gateway's answers for a partner behind it that is down; no status at all: unreachable.
GATEWAY_STATUSES = frozenset({502, 504})
# How often an unreachable partner is asked whether it is back (one GET [base]/metadata). Its
# backlog, spread over the backoff the outage caused (up to the cap), is released when it answers:
# how fast it drains after an outage is bound by delivery throughput, not by that backoff.
PROBE_INTERVAL_S = 1.0


@dataclass
class WorkerOptions:
    batch_size: int = 50
    lease_s: float = 120.0
    idle_s: float = 2.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)


class Worker:
    """Sends outbox items to their destinations; several may run against one database."""

    def __init__(
        self,
        engine: Engine,
        destinations: dict[str, Destination],
        options: WorkerOptions | None = None,
        *,
        rng: random.Random | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.destinations = destinations
        self.options = options or WorkerOptions()
        self.rng = rng or random.Random()  # noqa: S311 -- jitter, not secrecy
        self.sleep = sleep
        self.name = name or f"worker-{uuid.uuid4().hex[:12]}"
        # A partner that answered 429 or 503 is left alone until then (time.monotonic()).
        self.paused_until: dict[str, float] = {}
        # An unreachable partner gets only probes, the next one then (time.monotonic()).
        self.next_probe: dict[str, float] = {}

    def run_once(self) -> RoundReport:
        """Claim one batch, deliver it, record each outcome."""
        self._probe_unreachable()
        items = self._claim()
        report = RoundReport(claimed=len(items))
        by_destination: dict[str, list[OutboxItem]] = defaultdict(list)
        for item in items:
            by_destination[item.destination].append(item)
        with LeaseKeeper(self, [item.seq for item in items]):
            for destination, batch in by_destination.items():
                verdicts = self._deliver(destination, batch)
                self._slow_down(destination, verdicts)
                self._note_unreachable(destination, verdicts)
                report.add(self._settle(batch, verdicts))
        return report

    def run(
        self,
        stop: threading.Event | None = None,
        *,
        max_rounds: int | None = None,
        between_rounds: Callable[[], Any] | None = None,
    ) -> RoundReport:
        """Rounds until `stop` is set (or `max_rounds`); waits only after an empty round."""
        stop = stop or threading.Event()
        total, rounds = RoundReport(), 0
        while not stop.is_set() and (max_rounds is None or rounds < max_rounds):
            report = self._guarded_round(between_rounds)
            total.add(report)
            rounds += 1
            if report.claimed == 0:
                stop.wait(self.options.idle_s)
        return total

    def _guarded_round(self, between_rounds: Callable[[], Any] | None) -> RoundReport:
        """One round; a database outage or a bad registry edit is logged and waited out."""
        try:
            if between_rounds is not None:
                between_rounds()
            return self.run_once()
        except (SQLAlchemyError, AdapterError):
            log.exception("worker round failed; trying again after %s s", self.options.idle_s)
            return RoundReport()

    def drain(self, *, max_rounds: int, deadline_s: float) -> RoundReport:
        """Rounds until nothing is claimable now, bounded in count and time (`--once`)."""
        total, end = RoundReport(), time.monotonic() + deadline_s
        for _round in range(max_rounds):
            report = self.run_once()
            total.add(report)
            if report.claimed == 0 or time.monotonic() > end:
                break
        return total

    def _claim(self) -> list[OutboxItem]:
        with outbox.write_transaction(self.engine) as conn:
            return outbox.claim(
                conn,
                self.name,
                limit=self.options.batch_size,
                lease_s=self.options.lease_s,
                destinations=self._ready_destinations(),
            )

    def _ready_destinations(self) -> list[str]:
        now = time.monotonic()
        return [d for d in self.destinations if self.paused_until.get(d, 0.0) <= now]

    def _note_unreachable(self, destination: str, verdicts: dict[int, Verdict]) -> None:
        """Every item failed without a partner's own answer: probe it until it answers.

        Its items keep their own backoff meanwhile (and are dead-lettered as ever if it never
        comes back); the probe only ends their wait early once it does.
        """
        probe = getattr(self.destinations.get(destination), "probe", None)
        if probe is None or not verdicts or not all(map(_unreachable, verdicts.values())):
            return
        if destination not in self.next_probe:
            log.warning(
                "partner %s is unreachable; probing every %s s", destination, PROBE_INTERVAL_S
            )
        self.next_probe[destination] = time.monotonic() + PROBE_INTERVAL_S

    def _probe_unreachable(self) -> None:
        """Probe the unreachable partners that are due; release the backlog of those back."""
        now = time.monotonic()
        for destination, due in list(self.next_probe.items()):
            client = self.destinations.get(destination)
            if client is None:
                del self.next_probe[destination]
                continue
            if due > now:
                continue
            if not client.probe():  # type: ignore[attr-defined]
                self.next_probe[destination] = time.monotonic() + PROBE_INTERVAL_S
                continue
            del self.next_probe[destination]
            with outbox.write_transaction(self.engine) as conn:
                released = outbox.release_backlog(conn, destination)
            log.info("partner %s answers again; %d waiting items released", destination, released)

    def _slow_down(self, destination: str, verdicts: dict[int, Verdict]) -> None:
        """A partner saying it is overloaded (429, 503) gets no request from this worker
        until it asked to be left alone (Retry-After), or the first backoff step."""
        throttled = [
            v
            for v in verdicts.values()
            if v.outcome == "retry" and (v.error or {}).get("httpStatus") in THROTTLE_STATUSES
        ]
        if not throttled:
            return
        waits = [v.retry_after_s for v in throttled if v.retry_after_s is not None]
        pause = max(waits) if waits else self.options.policy.delay(1, None, self.rng)
        self.paused_until[destination] = time.monotonic() + pause
        log.info("partner %s is overloaded; pausing deliveries for %.1f s", destination, pause)

    def _deliver(self, destination: str, batch: list[OutboxItem]) -> dict[int, Verdict]:
        with self.engine.connect() as conn:
            # Only an item that was dead-lettered and requeued can have been overtaken.
            stale = {i.seq for i in batch if i.last_error and outbox.superseded(conn, i)}
        fresh = [item for item in batch if item.seq not in stale]
        verdicts = dict.fromkeys(stale, DELIVERED)
        if fresh:
            try:
                verdicts |= self.destinations[destination].deliver(fresh)
            except Exception as error:  # a bug in one destination must not stop the others
                log.exception("delivery to %s failed", destination)
                verdicts |= {i.seq: Verdict("retry", failure(repr(error))) for i in fresh}
        return verdicts

    def _settle(self, batch: list[OutboxItem], verdicts: dict[int, Verdict]) -> RoundReport:
        report = RoundReport()
        delivered = [item for item in batch if verdicts[item.seq].outcome == "delivered"]
        with outbox.write_transaction(self.engine) as conn:
            # The common case in one statement rather than one round trip per item.
            kept = outbox.mark_all_delivered(conn, delivered, self.name)
            report.delivered += len(delivered)
            report.lost_leases += len(delivered) - kept
            for item in batch:
                if verdicts[item.seq].outcome != "delivered":
                    kept_one = self._settle_one(conn, item, verdicts[item.seq], report)
                    report.lost_leases += 0 if kept_one else 1
        return report

    def _settle_one(
        self, conn: Connection, item: OutboxItem, verdict: Verdict, report: RoundReport
    ) -> bool:
        """Record the verdict; False when the lease was lost meanwhile."""
        policy = self.options.policy
        if verdict.outcome == "delivered":
            report.delivered += 1
            return outbox.mark_delivered(conn, item, self.name)
        error = verdict.error or failure("unknown failure")
        if verdict.outcome == "retry" and not policy.exhausted(item.attempts + 1):
            report.retried += 1
            delay = policy.delay(item.attempts + 1, verdict.retry_after_s, self.rng)
            return outbox.mark_retry(conn, item, self.name, delay, error)
        report.dead += 1
        log.warning("dead-lettered outbox item %s for %s", item.seq, item.destination)
        kept = outbox.mark_dead(conn, item, self.name, error)
        # A destination may react in the same transaction (a Subscription goes to `error`).
        hook = getattr(self.destinations.get(item.destination), "dead_lettered", None)
        if kept and hook is not None:
            hook(conn, item, error)
        return kept


def _unreachable(verdict: Verdict) -> bool:
    if verdict.outcome != "retry":
        return False
    status = (verdict.error or {}).get("httpStatus")
    return status is None or status in GATEWAY_STATUSES


class LeaseKeeper:
    """Renews a batch's lease while it is being sent, so a slow partner does not let another
    worker claim (and send again) items this worker is still delivering."""

    def __init__(self, worker: Worker, seqs: list[int]) -> None:
        self.worker = worker
        self.seqs = seqs
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._renew, daemon=True)

    def __enter__(self) -> LeaseKeeper:
        if self.seqs:
            self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.done.set()
        if self.thread.is_alive():
            self.thread.join()

    def _renew(self) -> None:
        lease_s = self.worker.options.lease_s
        # A third of the lease: two renewals can fail before the lease runs out.
        while not self.done.wait(lease_s / 3):
            try:
                with outbox.write_transaction(self.worker.engine) as conn:
                    outbox.extend_lease(conn, self.seqs, self.worker.name, lease_s)
            except SQLAlchemyError:
                log.warning("could not renew the lease of %s items", len(self.seqs))
