"""The worker loop: bounded rounds, a failing destination or round does not stop it."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from adapter.errors import ConfigurationError
from adapter.exchange.delivery import Verdict
from adapter.exchange.polling import PollReport
from adapter.exchange.schedule import PollSchedule
from adapter.exchange.worker import Worker, WorkerOptions
from tests.exchange.helpers import IMMEDIATE, items
from tests.exchange.resources import patient


class Recorder:
    """A destination that accepts everything and remembers what it got."""

    def __init__(self) -> None:
        self.got: list[str] = []

    def deliver(self, batch):
        self.got += [f"{i.reference}@{i.version}" for i in batch]
        return {i.seq: Verdict("delivered") for i in batch}


class Broken:
    def deliver(self, batch):
        raise RuntimeError("bug in a destination")


def test_run_delivers_in_member_order_and_stops_after_max_rounds(routed_store):
    for family in ("One", "Two", "Three"):
        routed_store.update("Patient", "mbr-m1", patient("M1", family))
    recorder = Recorder()
    worker = Worker(routed_store.engine, {"ehr": recorder}, WorkerOptions(idle_s=0))
    report = worker.run(max_rounds=5)
    assert recorder.got == ["Patient/mbr-m1@1", "Patient/mbr-m1@2", "Patient/mbr-m1@3"]
    assert report.delivered == 3


def test_a_destination_that_raises_is_retried_not_fatal(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    options = WorkerOptions(idle_s=0, policy=IMMEDIATE)
    report = Worker(routed_store.engine, {"ehr": Broken()}, options).run(max_rounds=2)
    assert report.retried == 2
    [item] = items(routed_store)
    assert "bug in a destination" in item.last_error["issue"][0]["diagnostics"]


def test_a_failing_round_is_logged_and_the_loop_goes_on(routed_store):
    calls = []

    def bad_registry() -> None:
        calls.append(1)
        raise ConfigurationError("partners file is broken")

    worker = Worker(routed_store.engine, {"ehr": Recorder()}, WorkerOptions(idle_s=0))
    worker.run(max_rounds=3, between_rounds=bad_registry)
    assert len(calls) == 3


def test_a_set_stop_event_ends_the_loop_at_once(routed_store):
    stop = threading.Event()
    stop.set()
    report = Worker(routed_store.engine, {"ehr": Recorder()}).run(stop)
    assert report.claimed == 0


class CountingPoller:
    """Stands in for a TaskPoller: the schedule only reads its interval and calls poll_once."""

    def __init__(self) -> None:
        self.poll = SimpleNamespace(interval_s=60)
        self.partner = SimpleNamespace(id="cbo")
        self.polls = 0

    def poll_once(self) -> PollReport:
        self.polls += 1
        return PollReport()


def test_pollers_run_when_their_interval_has_passed():
    now = [0.0]
    poller = CountingPoller()
    schedule = PollSchedule([poller], clock=lambda: now[0])
    schedule.run_due()
    now[0] = 59.0
    schedule.run_due()
    now[0] = 60.0
    schedule.run_due()
    assert poller.polls == 2


class Slow(Recorder):
    """Takes longer than the lease to answer."""

    def __init__(self):
        super().__init__()
        self.started = threading.Event()

    def deliver(self, batch):
        self.started.set()
        time.sleep(4.0)
        return super().deliver(batch)


def test_a_slow_delivery_keeps_its_lease_so_no_other_worker_sends_the_item(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    slow, other = Slow(), Recorder()
    # The delivery outlasts the lease more than twice; renewals (every third of the lease) keep
    # it, with margin for a loaded machine where a renewal waits on the database.
    options = WorkerOptions(lease_s=1.5, idle_s=0)
    busy = threading.Thread(target=Worker(routed_store.engine, {"ehr": slow}, options).run_once)
    busy.start()
    assert slow.started.wait(timeout=10), "the first worker never claimed the item"
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:  # another worker keeps trying while the first one sends
        Worker(routed_store.engine, {"ehr": other}, options).run_once()
        time.sleep(0.1)
    busy.join(timeout=10)
    assert slow.got == ["Patient/mbr-m1@1"]
    assert other.got == []
