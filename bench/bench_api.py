"""Load test of the FHIR REST API: reads, searches and validated creates against gunicorn.

Starts `ltsc-adapter serve` (gunicorn, 2 workers) on 127.0.0.1 as a second process, seeds it,
then drives each phase, bounded in count and time, with `wrk` (if installed; `apt-get install
wrk`) or a thread pool of `requests.Session`s (`--client python`). The Python client spends
more CPU per request than the server on this 2-core machine, so its figures measure the client.

    .venv/bin/python bench/bench_api.py --backend sqlite --backend postgres

PostgreSQL runs in a throw-away schema of ADAPTER_TEST_POSTGRES_URL
(default postgresql+psycopg://127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapter.config import Settings  # noqa: E402
from tests.api.resources import MEMBER_ID, patient  # noqa: E402

POSTGRES_URL = os.environ.get(
    "ADAPTER_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test"
)
HEADERS = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
TARGETS = {"read": 800.0, "create": 200.0}  # requests/s on a 2-core machine
P99_TARGET_MS = 100.0


@dataclass
class PhaseResult:
    name: str
    count: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    fixed_percentiles: dict[float, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if p in self.fixed_percentiles:
            return self.fixed_percentiles[p]
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_schema() -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "postgres":
        with postgres_schema() as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def server(database_url: str, workers: int) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/fhir"
    dev_auth = tempfile.mkdtemp(prefix="bench-auth-")
    env = {
        **os.environ,
        "ADAPTER_PORT": str(port),
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_WORKERS": str(workers),
        "ADAPTER_DATABASE_URL": database_url,
        "ADAPTER_BASE_URL": base,
        "ADAPTER_LOG_LEVEL": "WARNING",
        "ADAPTER_AUTH_DEV_DIR": dev_auth,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(base, process)
        if os.environ.get("ADAPTER_AUTH_MODE", "on") != "off":
            from adapter.security.dev_keys import issue_dev_token

            token = issue_dev_token(Settings(base_url=base, auth_dev_dir=dev_auth), "dev-admin")
            HEADERS["Authorization"] = f"Bearer {token}"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        HEADERS.pop("Authorization", None)
        shutil.rmtree(dev_auth, ignore_errors=True)


def wait_until_serving(base: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            # Ask each worker a few times so both have warmed their caches.
            if all(requests.get(f"{base}/metadata", timeout=10).ok for _ in range(4)):
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout_s}s")


def member(n: int) -> dict:
    return patient(f"B{n:06d}", family=random.choice(["Santos", "Nguyen", "Reyes", "Okafor"]))


def seed(base: str, members: int) -> list[str]:
    with requests.Session() as session:
        for n in range(members):
            resource = member(n)
            session.put(
                f"{base}/Patient/{resource['id']}", data=orjson.dumps(resource), headers=HEADERS
            ).raise_for_status()
    return [member_id(n) for n in range(members)]


def member_id(n: int) -> str:
    return f"mbr-b{n:06d}"


def run_phase(
    name: str,
    request: Callable[[requests.Session, int], requests.Response],
    total: int,
    threads: int,
    max_seconds: float,
) -> PhaseResult:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        nonlocal errors
        with requests.Session() as session:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                ok = request(session, n).ok
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors += 0 if ok else 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(worker)
    seconds = time.perf_counter() - started
    return PhaseResult(name, len(latencies), errors, seconds, latencies)


def phases(
    base: str, ids: list[str]
) -> dict[str, Callable[[requests.Session, int], requests.Response]]:
    def read(session: requests.Session, n: int) -> requests.Response:
        return session.get(f"{base}/Patient/{random.choice(ids)}", headers=HEADERS)

    def search(session: requests.Session, n: int) -> requests.Response:
        value = f"{MEMBER_ID}|B{random.randrange(len(ids)):06d}"
        return session.get(f"{base}/Patient", params={"identifier": value}, headers=HEADERS)

    def create(session: requests.Session, n: int) -> requests.Response:
        body = orjson.dumps(member(1_000_000 + n))
        return session.post(f"{base}/Patient", data=body, headers=HEADERS)

    def metadata(session: requests.Session, n: int) -> requests.Response:
        return session.get(f"{base}/metadata", headers=HEADERS)

    return {"metadata": metadata, "read": read, "search": search, "create": create}


WRK_SCRIPT = """
local members = %(members)d
local kind = "%(kind)s"
local system = "%(system)s"
local body = [==[%(body)s]==]
local search = "%(path)s/Patient?identifier=" .. system .. "%%%%7CB%%06d"
math.randomseed(%(seed)d)
wrk.headers["Authorization"] = "%(auth)s"
request = function()
  local n = math.random(0, members - 1)
  if kind == "metadata" then
    return wrk.format("GET", "%(path)s/metadata")
  elseif kind == "read" then
    return wrk.format("GET", string.format("%(path)s/Patient/mbr-b%%06d", n))
  elseif kind == "search" then
    return wrk.format("GET", string.format(search, n))
  end
  local headers = {["Content-Type"] = "application/fhir+json", ["Authorization"] = "%(auth)s"}
  return wrk.format("POST", "%(path)s/Patient", headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%f %%f %%f\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk_phase(
    base: str, kind: str, members: int, connections: int, seconds: float
) -> PhaseResult:
    """One phase under wrk; percentiles come from wrk's own latency histogram."""
    origin, _, path = base.partition("/fhir")
    script = WRK_SCRIPT % {
        "members": members, "kind": kind, "system": MEMBER_ID, "seed": 1,
        "body": orjson.dumps(member(999_999)).decode(), "path": "/fhir" + path,
        "auth": HEADERS.get("Authorization", ""),
    }  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "-s", lua.name, origin]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT"))
    count, errors, micros, p50, p95, p99 = line.split()[1:]
    result = PhaseResult(kind, int(count), int(errors), int(micros) / 1e6, [])
    result.fixed_percentiles = {50: float(p50), 95: float(p95), 99: float(p99)}
    return result


def report(backend: str, workers: int, results: list[PhaseResult]) -> None:
    threads = os.environ.get("ADAPTER_WORKER_THREADS", str(Settings.worker_threads))
    print(f"\n{backend}: gunicorn {workers} workers ({threads} threads each) on 127.0.0.1")
    columns = ("requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "ratio")
    print(f"{'phase':8} " + " ".join(f"{c:>8}" for c in columns) + "  target")
    # The baseline, measured in the same run: /metadata needs no database and no validation.
    baseline = next((r.throughput for r in results if r.name == "metadata"), 0.0)
    for r in results:
        target = TARGETS.get(r.name)
        verdict = []
        if target:
            verdict.append(f"{'ok' if r.throughput >= target else 'MISS'} >= {target:.0f}/s")
        verdict.append(
            f"{'ok' if r.percentile(99) < P99_TARGET_MS else 'MISS'} p99 < {P99_TARGET_MS:.0f}"
        )
        ratio = r.throughput / baseline if baseline else 0.0
        figures = (
            r.count, r.errors, round(r.throughput), *(r.percentile(p) for p in (50, 95, 99)), ratio
        )  # fmt: skip
        cells = " ".join(f"{f:>8.1f}" if isinstance(f, float) else f"{f:>8d}" for f in figures[:-1])
        cells += f" {ratio:>8.2f}"
        print(f"{r.name:8} {cells}  {', '.join(verdict)}")


def refresh_statistics(database_url: str) -> None:
    """ANALYZE after seeding, as after any bulk load (see Store.refresh_statistics)."""
    from adapter.store import open_store

    store = open_store(database_url)
    try:
        store.refresh_statistics()
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--requests", type=int, default=4000, help="per phase")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound per phase")
    parser.add_argument("--members", type=int, default=300, help="patients seeded")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    args = parser.parse_args()
    random.seed(1)
    client = args.client or ("wrk" if shutil.which("wrk") else "python")
    for backend in args.backend or ["sqlite", "postgres"]:
        with database(backend) as url, server(url, args.workers) as base:
            ids = seed(base, args.members)
            refresh_statistics(url)
            if client == "wrk":
                results = [
                    run_wrk_phase(base, kind, args.members, args.threads, args.seconds)
                    for kind in ("metadata", "read", "search", "create")
                ]
            else:
                results = [
                    run_phase(name, call, args.requests, args.threads, args.seconds)
                    for name, call in phases(base, ids).items()
                ]
            report(f"{backend} ({client} client)", args.workers, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
