"""Concurrent writers: If-Match lets exactly one win; unconditional updates lose nothing."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from adapter.errors import PreconditionFailed
from adapter.store import open_store

WRITERS = 8
UPDATES_EACH = 10


def task(note):
    return {"resourceType": "Task", "status": "ready", "intent": "order", "note": [{"text": note}]}


def test_same_if_match_from_two_writers_exactly_one_wins(store, database_url):
    store.update("Task", "offer-1", task("start"))
    other = open_store(database_url)
    barrier = threading.Barrier(2)

    def write(target, note):
        barrier.wait()
        try:
            return target.update("Task", "offer-1", task(note), if_match='W/"1"').version_id
        except PreconditionFailed:
            return "412"

    try:
        with ThreadPoolExecutor(2) as pool:
            results = sorted(pool.map(write, [store, other], ["a", "b"]))
    finally:
        other.close()
    assert results == ["2", "412"]
    assert store.read("Task", "offer-1").version_id == "2"


def test_concurrent_unconditional_updates_lose_nothing(store):
    store.update("Task", "offer-1", task("start"))
    barrier = threading.Barrier(WRITERS)

    def write(writer):
        barrier.wait()
        return [
            store.update("Task", "offer-1", task(f"{writer}-{n}")).version_id
            for n in range(UPDATES_EACH)
        ]

    with ThreadPoolExecutor(WRITERS) as pool:
        written = [v for versions in pool.map(write, range(WRITERS)) for v in versions]
    expected = [str(v) for v in range(2, WRITERS * UPDATES_EACH + 2)]
    assert sorted(written, key=int) == expected
    history = store.history("Task", "offer-1", count=1000)
    assert [int(e.version_id) for e in history.entries] == list(range(len(expected) + 1, 0, -1))
    notes = {e.resource["note"][0]["text"] for e in history.entries}
    assert len(notes) == len(expected) + 1


def test_concurrent_creates_of_one_id_make_one_resource(store):
    barrier = threading.Barrier(WRITERS)

    def write(writer):
        barrier.wait()
        return store.update("Task", "offer-new", task(f"w{writer}")).status

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = list(pool.map(write, range(WRITERS)))
    assert statuses.count("created") == 1
    assert store.history("Task", "offer-new").total == WRITERS


def test_concurrent_conditional_creates_make_one_resource(store):
    identifier = "https://ltsc-adapter.org/fhir/NamingSystem/plan-member-id|M1"
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": identifier.split("|")[0], "value": "M1"}],
    }
    barrier = threading.Barrier(WRITERS)

    def write(_writer):
        barrier.wait()
        return store.create(patient, if_none_exist=f"identifier={identifier}").status

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = sorted(pool.map(write, range(WRITERS)))
    assert statuses == ["created"] + ["exists"] * (WRITERS - 1)
    assert store.search("Patient", [("identifier", identifier)]).total == 1


def _update_in_own_process(database_url: str, writer: int) -> list[str]:
    store = open_store(database_url)
    try:
        return [
            store.update("Task", "offer-1", task(f"p{writer}-{n}")).version_id
            for n in range(UPDATES_EACH)
        ]
    finally:
        store.close()


@pytest.mark.slow
def test_processes_sharing_the_database_lose_no_update(store, database_url):
    store.update("Task", "offer-1", task("start"))
    processes = 3
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        runs = pool.map(_update_in_own_process, [database_url] * processes, range(processes))
        written = sorted(int(v) for versions in runs for v in versions)
    assert written == list(range(2, processes * UPDATES_EACH + 2))
    assert store.read("Task", "offer-1").version_id == str(processes * UPDATES_EACH + 1)
