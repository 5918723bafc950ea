"""Outbound delivery throughput: queued changes delivered to a local partner FHIR server.

Run: .venv/bin/python bench/bench_exchange.py [--changes 10000] [--outage 30] [--batch 50]
         [--concurrency 8] [--database-url postgresql+psycopg://host/db] [--partner minimal]
         [--delivery auto|update|transaction]

The partner is the project's own FHIR server (`ltsc-adapter serve`, gunicorn, 4 workers,
validation, auth and audit off) on a free 127.0.0.1 port. It and the adapter's store each get
their own database per run: SQLite files in a temporary folder, or fresh PostgreSQL schemas
with --database-url. The store is
filled with N Patient changes, 200 to a transaction, so each change enqueues its delivery; then
`ltsc-adapter worker` processes drain the outbox: with `--delivery auto` (the default) one
transaction Bundle per claimed batch when the partner's CapabilityStatement lists `transaction`
(the project's server does; the minimal partner has none), else per-resource PUTs,
--concurrency requests in parallel per worker:

With --partner minimal the partner is an in-memory HTTP server in the bench process that
answers every PUT with 200, which shows the adapter's own ceiling (outbox claim, HTTP, settle).

  1. one worker, partner up: deliveries/s over the wall time from worker start to empty outbox;
  2. two workers, partner up: the same;
  3. outage: the partner is down while one worker starts on the backlog, comes up after
     --outage seconds; reported is the time from recovery to empty outbox (the worker probes the
     partner every second and releases the backlog when it answers, so the backoff the outage
     caused, doubling from 1 s up to --backoff-cap, is not waited out).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapter.exchange import outbox  # noqa: E402
from adapter.exchange.listener import OutboxListener  # noqa: E402
from adapter.exchange.partners import Partner, PartnerRegistry  # noqa: E402
from adapter.store import Store, open_store  # noqa: E402

WRITES_PER_TRANSACTION = 200
MAX_WAIT_S = 900


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_partner(folder: Path, port: int, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "ADAPTER_PORT": str(port),
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_WORKERS": "4",
        "ADAPTER_DATABASE_URL": database_url,
        "ADAPTER_BASE_URL": f"http://127.0.0.1:{port}/fhir",
        "ADAPTER_VALIDATION_MODE": "off",
        # The partner stands in for another organisation's server: its own access control
        # and audit trail are its cost, not the adapter's.
        "ADAPTER_AUTH_MODE": "off",
        "ADAPTER_AUDIT_MODE": "off",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/fhir/metadata", timeout=2).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the partner server did not start")


CREATED_SCHEMAS: list[str] = []


class MinimalPartnerHandler(BaseHTTPRequestHandler):
    """Accepts every PUT into memory: isolates the adapter's side of delivery."""

    protocol_version = "HTTP/1.1"
    stored: ClassVar[dict[str, bytes]] = {}

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.stored[self.path] = body
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class MinimalPartner:
    """A stand-in for `subprocess.Popen` of the real partner: started, then terminated."""

    def __init__(self, port: int) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), MinimalPartnerHandler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def terminate(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, timeout: float) -> None:
        return None


def fresh_database(base_url: str | None, folder: Path, name: str) -> str:
    if not base_url:
        return f"sqlite:///{folder}/{name}.db"
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with create_engine(base_url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    CREATED_SCHEMAS.append(schema)
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def fill(store: Store, changes: int, run: str) -> None:
    for start in range(0, changes, WRITES_PER_TRANSACTION):
        entries = []
        for n in range(start, min(start + WRITES_PER_TRANSACTION, changes)):
            rid = f"mbr-{run}-{n}"
            resource = {
                "resourceType": "Patient",
                "id": rid,
                "name": [{"family": f"Member{n}", "given": ["Bench"]}],
            }
            entries.append(
                {"resource": resource, "request": {"method": "PUT", "url": f"Patient/{rid}"}}
            )
        store.transaction({"resourceType": "Bundle", "type": "transaction", "entry": entries})


def start_workers(count: int, database_url: str, partners: Path, args) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "ADAPTER_DATABASE_URL": database_url,
        "ADAPTER_EXCHANGE_BATCH_SIZE": str(args.batch),
        "ADAPTER_EXCHANGE_IDLE_SECONDS": "1",
        "ADAPTER_EXCHANGE_BACKOFF_CAP_SECONDS": str(args.backoff_cap),
        "ADAPTER_EXCHANGE_MAX_ATTEMPTS": "1000",
        "ADAPTER_EXCHANGE_CONCURRENCY": str(args.concurrency),
    }
    command = [sys.executable, "-m", "adapter.cli", "worker", "--partners", str(partners)]
    return [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]


def wait_drained(store: Store, changes: int) -> None:
    deadline = time.monotonic() + MAX_WAIT_S
    while time.monotonic() < deadline:
        with store.engine.connect() as conn:
            counts = outbox.counts(conn)
        if counts["delivered"] + counts["dead"] >= changes:
            if counts["dead"]:
                raise SystemExit(f"{counts['dead']} deliveries were dead-lettered")
            return
        time.sleep(0.1)
    raise SystemExit("the outbox did not drain in time")


def stop(processes: list[Any]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def run(args, folder: Path, port: int, run: str, workers: int, outage: float) -> float:
    """Seconds from worker start (or partner recovery) to an empty outbox."""
    partner_url = f"http://127.0.0.1:{port}/fhir"
    partners = folder / f"partners-{run}.yaml"
    partners.write_text(
        f'{{"partners": [{{"id": "ehr", "base_url": "{partner_url}", '
        f'"delivery": "{args.delivery}", "resource_types": ["Patient"]}}]}}'
    )
    database_url = fresh_database(args.database_url, folder, run)
    store = open_store(database_url)
    registry = PartnerRegistry([Partner("ehr", partner_url, ("Patient",))])
    store.add_listener(OutboxListener(registry))
    fill(store, args.changes, run)
    partner_db = fresh_database(args.database_url, folder / run, "partner")

    def start() -> Any:
        if args.partner == "minimal":
            return MinimalPartner(port)
        return start_partner(folder / run, port, partner_db)

    partner = None if outage else start()
    processes = start_workers(workers, database_url, partners, args)
    try:
        started = time.monotonic()
        if outage:
            time.sleep(outage)
            partner = start()
            started = time.monotonic()
        wait_drained(store, args.changes)
        return time.monotonic() - started
    finally:
        stop(processes + ([partner] if partner else []))
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--outage", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--backoff-cap", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", help="PostgreSQL base URL (default: SQLite)")
    parser.add_argument(
        "--delivery",
        choices=("auto", "update", "transaction"),
        default="auto",
        help="the partner's delivery mode in the registry (docs/exchange.md)",
    )
    parser.add_argument(
        "--partner",
        choices=("server", "minimal"),
        default="server",
        help="the project's FHIR server, or an in-memory one that only accepts PUTs",
    )
    args = parser.parse_args()
    try:
        measure(args)
    finally:
        drop_schemas(args.database_url)


def drop_schemas(base_url: str | None) -> None:
    if base_url and CREATED_SCHEMAS:
        with create_engine(base_url, isolation_level="AUTOCOMMIT").connect() as conn:
            for schema in CREATED_SCHEMAS:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def measure(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("one", "two", "outage"):
            (folder / name).mkdir()
        port = free_port()
        one = run(args, folder, port, "one", 1, 0)
        print(f"1 worker : {args.changes} deliveries in {one:.1f} s = {args.changes / one:.0f}/s")
        two = run(args, folder, port, "two", 2, 0)
        print(f"2 workers: {args.changes} deliveries in {two:.1f} s = {args.changes / two:.0f}/s")
        drain = run(args, folder, port, "outage", 1, args.outage)
        print(f"after a {args.outage:.0f} s outage: {args.changes} drained in {drain:.1f} s")


if __name__ == "__main__":
    main()
