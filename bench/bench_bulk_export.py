"""Bulk Data export of generated members vs a plain paged search of the same data, same run.

Loads N members (a Patient and an authorization Task each) into a fresh store, then runs, each
in its own child process so peak memory (ru_maxrss) is the child's own:

- export: a system `$export` job (_type=Patient,Task) run by the worker's BulkExportRunner,
  streaming from the database into NDJSON files;
- baseline: the same resources read with plain paged searches (`_count=1000`, following the
  next links) and written to NDJSON the same way.

    .venv/bin/python bench/bench_bulk_export.py --members 5000 --members 50000
    .venv/bin/python bench/bench_bulk_export.py --members 50000 --database-url postgresql+psycopg://127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapter.config import Settings  # noqa: E402
from adapter.security.principal import Principal  # noqa: E402
from adapter.store import open_store  # noqa: E402
from tests.api.resources import patient, service_task  # noqa: E402

BATCH = 500
PAGE = 1000
ADMIN = Principal("bench", "bench", "admin", "", frozenset({"system/*.rs"}))


def load(database_url: str, members: int) -> float:
    store = open_store(database_url, page_size_max=PAGE)
    started = time.monotonic()
    entries = []
    for n in range(members):
        member = f"B{n:07d}"
        for generated in (patient(member), service_task(member_id=member)):
            url = f"{generated['resourceType']}/{generated['id']}"
            entries.append({"resource": generated, "request": {"method": "PUT", "url": url}})
        if len(entries) >= BATCH or n == members - 1:
            store.transaction({"resourceType": "Bundle", "type": "transaction", "entry": entries})
            entries = []
    store.refresh_statistics()
    store.close()
    return time.monotonic() - started


def child_export(database_url: str, out: Path) -> dict[str, float]:
    from adapter.bulk import BulkExportRunner, create_job

    store = open_store(database_url, page_size_max=PAGE)
    settings = Settings(database_url=database_url, bulk_export_dir=str(out))
    parameters = {"level": "system", "group": None, "types": ["Patient", "Task"], "since": None}
    create_job(store.engine, ADMIN, "bench", "http://bench/fhir", parameters)
    started = time.monotonic()
    BulkExportRunner(store, settings).run_due()
    seconds = time.monotonic() - started
    lines = sum(1 for f in out.rglob("*.ndjson") for _ in f.open("rb"))
    return {"seconds": seconds, "resources": lines}


def child_paged(database_url: str, out: Path) -> dict[str, float]:
    store = open_store(database_url, page_size_max=PAGE)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    written = 0
    for resource_type in ("Patient", "Task"):
        with (out / f"{resource_type}.ndjson").open("wb") as handle:
            query = [("_count", str(PAGE)), ("_sort", "_id")]
            while True:
                page = store.search(resource_type, query)
                for stored in page.matches:
                    handle.write(orjson.dumps(stored.resource) + b"\n")
                    written += 1
                if not page.next_params:
                    break
                query = page.next_params
    return {"seconds": time.monotonic() - started, "resources": written}


def run_child(kind: str, database_url: str, out: Path) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--database-url",
            database_url,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, action="append")
    parser.add_argument("--database-url")
    parser.add_argument("--child", choices=("export", "paged"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        work = child_export if args.child == "export" else child_paged
        result = work(args.database_url, args.out)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0
    for members in args.members or [5000]:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/bench.db"
            if args.database_url:
                url = _fresh_postgres_schema(args.database_url)
            loaded = load(url, members)
            export = run_child("export", url, Path(tmp) / "export")
            paged = run_child("paged", url, Path(tmp) / "paged")
            print(
                f"{members} members ({int(export['resources'])} resources, loaded in "
                f"{loaded:.0f} s): export {export['seconds']:.1f} s "
                f"({export['resources'] / export['seconds']:.0f}/s, "
                f"peak {export['peak_mb']:.0f} MB)"
                f" | paged search {paged['seconds']:.1f} s "
                f"({paged['resources'] / paged['seconds']:.0f}/s, peak {paged['peak_mb']:.0f} MB)"
                f" | ratio {paged['seconds'] / export['seconds']:.2f}"
            )
    return 0


def _fresh_postgres_schema(base_url: str) -> str:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


if __name__ == "__main__":
    sys.exit(main())
