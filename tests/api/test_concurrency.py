"""Concurrent writers: every write lands once, none fails, on both databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from adapter.api.gate import SqliteWriteGate, write_gate
from tests.api.http import post, put
from tests.api.resources import patient

WRITERS = 6
WRITES_EACH = 8


def test_parallel_creates_all_succeed(app):
    def create_many(writer: int) -> list[int]:
        client = app.test_client()
        return [
            post(client, "Patient", patient(f"W{writer}-{n}")).status_code
            for n in range(WRITES_EACH)
        ]

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = [s for batch in pool.map(create_many, range(WRITERS)) for s in batch]
    assert statuses == [201] * WRITERS * WRITES_EACH
    total = app.test_client().get("/fhir/Patient?_summary=count").get_json(force=True)["total"]
    assert total == WRITERS * WRITES_EACH


def test_parallel_updates_of_one_resource_keep_every_version(app, client):
    put(client, "Patient/mbr-m100001", patient())

    def update(n: int) -> int:
        body = patient(family=f"Family{n}")
        return put(app.test_client(), "Patient/mbr-m100001", body).status_code

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = list(pool.map(update, range(WRITERS * 2)))
    assert statuses == [200] * WRITERS * 2
    history = client.get("/fhir/Patient/mbr-m100001/_history?_count=50").get_json(force=True)
    assert history["total"] == 1 + WRITERS * 2


def test_write_gate_is_a_lock_file_beside_a_sqlite_database(tmp_path: Path):
    gate = write_gate(f"sqlite:///{tmp_path}/adapter.db")
    assert isinstance(gate, SqliteWriteGate)
    with gate:
        assert (tmp_path / "adapter.db.write-lock").exists()
    assert isinstance(write_gate("postgresql+psycopg://127.0.0.1/test"), nullcontext)
