"""`ltsc-adapter worker` and `ltsc-adapter outbox list|retry`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import orjson

from adapter.bulk import BulkExportRunner
from adapter.config import Settings, settings_from_env
from adapter.errors import AdapterError, NotFound
from adapter.exchange import outbox
from adapter.exchange.delivery import PartnerClient
from adapter.exchange.polling import TaskPoller
from adapter.exchange.registry_file import RegistryFile
from adapter.exchange.schedule import PollSchedule
from adapter.exchange.service import partner_clients, worker_options
from adapter.exchange.subscriptions import DESTINATION, SubscriptionNotifier, enqueue_heartbeats
from adapter.exchange.worker import RoundReport, Worker
from adapter.store import Store, open_store

log = logging.getLogger(__name__)

# `--once` stops after this many rounds or seconds even if items keep becoming due.
ONCE_MAX_ROUNDS = 100_000
ONCE_DEADLINE_S = 3600.0
LIST_LIMIT = 200


def run_worker(args: argparse.Namespace) -> int:
    """Reads args.once and args.partners."""
    settings = settings_from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    registry_file = RegistryFile(args.partners or settings.exchange_partners_file or None)
    store = open_store(settings.database_url)
    worker = Worker(store.engine, {}, worker_options(settings))
    schedule = PollSchedule([])
    daily = _daily_reevaluation(store, settings) if not args.once else None

    def follow_registry() -> None:
        """New clients and pollers when the registry file changed (admin API edits)."""
        nonlocal schedule
        with outbox.write_transaction(store.engine) as conn:
            enqueue_heartbeats(conn)  # Subscriptions quiet for their heartbeat period
        if registry_file.reload_if_changed() or DESTINATION not in worker.destinations:
            clients = partner_clients(registry_file.registry, settings.exchange_concurrency)
            clients[DESTINATION] = SubscriptionNotifier(store.engine, settings.base_url)
            worker.destinations = clients
            schedule = PollSchedule(_pollers(registry_file.registry, worker.destinations, store))
        schedule.run_due()
        if daily is not None:
            daily.run_if_due()

    # Bulk Data exports run beside the deliveries, in a thread of this process.
    exports = BulkExportRunner(store, settings)
    try:
        follow_registry()
        if args.once:
            exports.run_due()
            report = worker.drain(max_rounds=ONCE_MAX_ROUNDS, deadline_s=ONCE_DEADLINE_S)
        else:
            stop = _stop_on_signals()
            exports.start(stop)
            report = worker.run(stop, between_rounds=follow_registry)
    finally:
        store.close()
    sys.stdout.write(_summary(worker.name, report) + "\n")
    return 0


def _daily_reevaluation(store: Store, settings: Settings) -> Any:
    """Stored members re-evaluated once a day as the worker runs (docs/rules.md)."""
    from adapter.services import MemberService
    from adapter.services.daily import DailyReevaluation

    return DailyReevaluation(MemberService(store, settings), settings.reevaluate_check_minutes * 60)


def _pollers(registry: Any, clients: dict[str, Any], store: Store) -> list[TaskPoller]:
    polled = [p for p in registry if p.poll and p.enabled]
    if not polled:
        return []
    from adapter.validation import default_validator

    validator = default_validator()
    react = rules_reaction(store, validator)
    return [
        TaskPoller(p, clients[p.id], store, validator, on_applied=react)
        for p in polled
        if isinstance(clients[p.id], PartnerClient)
    ]


def rules_reaction(store: Store, validator: Any) -> Callable[[dict[str, Any]], None]:
    """Apply a polled CBO Task update to the member's record, so the rules react to it."""
    from adapter.services import MemberService

    service = MemberService(store, settings_from_env(), validator=validator)

    def react(task: dict[str, Any]) -> None:
        try:
            service.apply_task_update(task)
        except NotFound:
            pass  # no plan record here (the Task came as a bare Bundle): nothing to re-run
        except AdapterError as exc:
            log.warning("care plan not updated from Task/%s: %s", task.get("id"), exc.message)

    return react


def _stop_on_signals() -> threading.Event:
    """SIGTERM/SIGINT finish the current round, then stop; a lease covers a harder kill."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _summary(name: str, report: RoundReport) -> str:
    return (
        f"{name}: delivered {report.delivered}, retried {report.retried}, "
        f"dead-lettered {report.dead}"
    )


def run_outbox(args: argparse.Namespace) -> int:
    """Reads args.action (list | retry), args.ids and args.state."""
    settings: Settings = settings_from_env()
    store = open_store(settings.database_url)
    try:
        state = getattr(args, "state", None)
        if state and state not in outbox.STATUSES:
            sys.stderr.write(f"--state must be one of {', '.join(outbox.STATUSES)}\n")
            return 2
        ids = [int(i) for i in args.ids if str(i).isdigit()]
        if len(ids) != len(args.ids):
            sys.stderr.write("outbox ids are numbers, as `ltsc-adapter outbox list` shows them\n")
            return 2
        if args.action == "retry":
            with outbox.write_transaction(store.engine) as conn:
                count = outbox.retry_dead(conn, ids)
            sys.stdout.write(f"Requeued {count} dead-lettered deliveries\n")
            return 0 if count or not ids else 1
        _list(store, ids, state, quiet=getattr(args, "quiet", False))
        return 0
    finally:
        store.close()


def _list(store: Store, ids: list[int], state: str | None, *, quiet: bool = False) -> None:
    """One JSON object per line on stdout; an empty list is said on stderr, so that stdout
    stays JSON lines for scripts."""
    with store.engine.connect() as conn:
        if ids:
            found = [outbox.get_item(conn, i) for i in ids]
            items = [i for i in found if i is not None]
        else:
            items = outbox.list_items(conn, status=state, limit=LIST_LIMIT)
    for item in items:
        sys.stdout.write(orjson.dumps(item.to_json()).decode() + "\n")
    if not items and not quiet:
        sys.stderr.write(_nothing_listed(ids, state) + "\n")


def _nothing_listed(ids: list[int], state: str | None) -> str:
    if ids:
        return f"No deliveries with ids {', '.join(map(str, ids))}."
    return f"No deliveries in state {state}." if state else "No deliveries."
