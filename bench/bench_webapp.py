"""Latency of the CBO web app's pages with 5,000 generated members (issue 23).

Builds the plan with the web app's scale fixture (tests/webapp/scale.py: the project's
generator, a few members mapped through the member service, the rest copied in bulk), serves the
app with werkzeug's threaded server on 127.0.0.1 and asks for each page in turn from one client,
signed in as a Care Coordinator (their caseload) and as a supervisor (every member). The
baseline in the same run is the sign-in page: the same app, templates and session handling,
no database.

    .venv/bin/python bench/bench_webapp.py [--members 5000] [--requests 40] [--database FILE]

Target: work list and member pages p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapter.api import create_app  # noqa: E402
from adapter.config import Settings  # noqa: E402
from adapter.store import open_store  # noqa: E402
from adapter.webapp.users import hash_password  # noqa: E402
from tests.webapp.browser import serving  # noqa: E402
from tests.webapp.scale import build_scale_database  # noqa: E402

TARGET_P95_MS = 300.0
PASSWORD = "bench passphrase"  # noqa: S105 - the benchmark users' password
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MEMBER_LINK = re.compile(r'href="(/app/members/[A-Za-z0-9_-]{20,})"')
USERS = {
    "cc.bench": {"org_kind": "plan", "staff_id": "CC-0006", "role": "coordinator"},
    "supervisor.bench": {"org_kind": "plan", "staff_id": "CC-0006", "role": "supervisor"},
}


def users_file(directory: Path) -> Path:
    entries = {
        name: {
            "display_name": name,
            "org_id": "CCA-OC",
            "password_hash": hash_password(PASSWORD),
            **fields,
        }
        for name, fields in USERS.items()
    }
    path = directory / "users.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    return path


def signed_in(base: str, user: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/app/sign-in").text).group(1)
    form = {"csrf_token": token, "user": user, "password": PASSWORD}
    response = session.post(f"{base}/app/sign-in", data=form, allow_redirects=False)
    assert response.status_code == 302, response.text
    return session


def timed(session: requests.Session, url: str, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def member_urls(session: requests.Session, base: str, count: int) -> list[str]:
    links = MEMBER_LINK.findall(session.get(f"{base}/app/members").text)
    random.Random(23).shuffle(links)
    return [base + link for link in links[:count]]


def cycle(session: requests.Session, urls: list[str], count: int) -> list[float]:
    return [timed(session, urls[i % len(urls)], 1)[0] for i in range(count)]


def run(base: str, count: int) -> list[tuple[str, list[float]]]:
    cc, supervisor = signed_in(base, "cc.bench"), signed_in(base, "supervisor.bench")
    anonymous, n = requests.Session(), count
    first = time.perf_counter()
    cc.get(f"{base}/app/work")  # builds the caseload view: reported apart, not in the pages
    build_ms = (time.perf_counter() - first) * 1000
    members = member_urls(cc, base, 20)
    name = re.search(r'">([^<]+)</a></th>', cc.get(f"{base}/app/members").text).group(1)
    return [
        ("sign-in page, no database (baseline)", timed(anonymous, f"{base}/app/sign-in", count)),
        ("stylesheet", timed(cc, f"{base}/app/static/app.css", count)),
        ("first page after start (builds the caseload view)", [build_ms]),
        ("CC work list (own caseload)", timed(cc, f"{base}/app/work", count)),
        ("CC work list, overdue, by name", timed(cc, f"{base}/app/work?overdue=1&sort=name", n)),
        ("CC members list", timed(cc, f"{base}/app/members", count)),
        ("CC members search by name", timed(cc, f"{base}/app/members?q={name}", count)),
        ("CC member page (20 members in turn)", cycle(cc, members, count)),
        ("CC new-offer page", cycle(cc, [m + "/offers/new" for m in members], count)),
        ("supervisor work list (all 5,000)", timed(supervisor, f"{base}/app/work", count)),
        ("supervisor members list, page 40", timed(supervisor, f"{base}/app/members?page=40", n)),
    ]  # fmt: skip


def report(results: list[tuple[str, list[float]]], members: int, built_s: float) -> None:
    baseline = percentile(results[0][1], 95)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    out = sys.stdout
    out.write(f"\n{members} members (fixture built in {built_s:.0f} s); load average {load}\n\n")
    out.write("| page | n | p50 ms | p95 ms | max ms | p95 / baseline p95 |\n")
    out.write("|---|---|---|---|---|---|\n")
    for name, values in results:
        p95 = percentile(values, 95)
        out.write(
            f"| {name} | {len(values)} | {percentile(values, 50):.1f} | {p95:.1f} | "
            f"{max(values):.1f} | {p95 / baseline:.1f} |\n"
        )
    pages = [v for n, v in results[3:] if "first page" not in n]
    worst = max(percentile(v, 95) for v in pages)
    verdict = "met" if worst < TARGET_P95_MS else "NOT met"
    out.write(f"\nworst page p95 {worst:.1f} ms: target p95 < {TARGET_P95_MS:.0f} ms {verdict}\n")


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database", type=Path, help="reuse (or build once into) this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        database = args.database or Path(work) / "plan.db"
        built_s = 0.0
        if not database.exists():
            built_s = build_scale_database(database, members=args.members).seconds
        settings = Settings(
            database_url=f"sqlite:///{database}",
            webapp_users_file=str(users_file(Path(work))),
            webapp_secret_key="bench-secret-key-0123456789abcdef",  # noqa: S106
            audit_mode="on",
        )
        store = open_store(settings.database_url)
        try:
            app = create_app(settings, store=store)
            with serving(app) as base:
                results = run(base, args.requests)
        finally:
            store.close()
    report(results, args.members, built_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
