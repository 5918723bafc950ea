"""The PostgreSQL planner answers the common searches from indexes (real EXPLAIN output).

A store of a few thousand Patients and Tasks, analyzed as after any bulk load; every statement
the store sends for each search is explained, and the plan must read the search index and the
resource table through an index, never by scanning them whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from adapter.store import Store, open_store
from tests.store.conftest import _postgres_url

pytestmark = pytest.mark.postgres

PATIENTS = 2000
MEMBER_SYSTEM = "https://example.org/member-id"
BIG_TABLES = {"search_index", "resource_current", "resource_version"}


def patient(n: int) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": f"p{n}",
        "identifier": [{"system": MEMBER_SYSTEM, "value": f"M{n:06d}"}],
        "name": [{"family": f"Family{n}", "given": ["Given"]}],
        "birthDate": f"19{40 + n % 60:02d}-0{1 + n % 9}-1{n % 10}",
    }


def task(n: int) -> dict[str, Any]:
    return {
        "resourceType": "Task",
        "id": f"t{n}",
        "status": "requested",
        "intent": "order",
        "for": {"reference": f"Patient/p{n}"},
        "owner": {"reference": f"Organization/cbo-{n % 40}"},
    }


@pytest.fixture(scope="module")
def loaded_store() -> Iterator[Store]:
    base = _postgres_url()
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    schema = f"plans_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    store = open_store(url.render_as_string(hide_password=False))
    try:
        for start in range(0, PATIENTS, 500):
            entries = [
                {
                    "resource": r,
                    "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
                }
                for n in range(start, start + 500)
                for r in (patient(n), task(n))
            ]
            store.transaction({"resourceType": "Bundle", "type": "transaction", "entry": entries})
        store.refresh_statistics()
        yield store
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def captured(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """The (statement, parameters) the store sends to the database inside the block."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)


def plan_nodes(store: Store, statement: str, parameters: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        explained = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        [[document]] = explained.fetchall()
    nodes, pending = [], [document[0]["Plan"]]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


COMMON_SEARCHES = [
    ("Patient", [("identifier", f"{MEMBER_SYSTEM}|M001234")]),
    ("Patient", [("family", "Family1234")]),
    ("Patient", [("_id", "p1234")]),
    ("Patient", [("birthdate", "1974-05-14")]),
    ("Task", [("patient", "Patient/p1234")]),
    ("Task", [("owner", "Organization/cbo-7"), ("_count", "10")]),
]


@pytest.mark.parametrize(
    ("resource_type", "search"), COMMON_SEARCHES, ids=[f"{t}?{p[0][0]}" for t, p in COMMON_SEARCHES]
)
def test_common_searches_use_indexes_not_scans(loaded_store, resource_type, search):
    with captured(loaded_store) as sent:
        page = loaded_store.search(resource_type, search)
    assert page.matches, f"{resource_type}?{search} found nothing; the test data is wrong"
    for statement, parameters in sent:
        nodes = plan_nodes(loaded_store, statement, parameters)
        scans = [n for n in nodes if n["Node Type"] == "Seq Scan"]
        whole = [n["Relation Name"] for n in scans if n.get("Relation Name") in BIG_TABLES]
        assert not whole, f"{resource_type}?{search} scans {whole} whole:\n{statement}"
        used = {n.get("Index Name") for n in nodes} - {None}
        assert used, f"{resource_type}?{search} uses no index:\n{statement}"


def test_a_read_by_id_uses_the_primary_key(loaded_store):
    with captured(loaded_store) as sent:
        loaded_store.read("Patient", "p42")
    [(statement, parameters)] = [s for s in sent if "resource_current" in s[0]]
    nodes = plan_nodes(loaded_store, statement, parameters)
    assert "resource_current_pkey" in {n.get("Index Name") for n in nodes}
