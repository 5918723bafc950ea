"""History newest first (deletes included), conditional writes, and write listeners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from adapter.errors import Conflict, PreconditionFailed

MEMBER_ID = "https://ltsc-adapter.org/fhir/NamingSystem/plan-member-id"


def member(value, **extra):
    return {
        "resourceType": "Patient",
        "identifier": [{"system": MEMBER_ID, "value": value}],
        **extra,
    }


def test_history_of_one_resource_newest_first_with_delete(store):
    store.update("Patient", "p1", member("M1"))
    store.update("Patient", "p1", member("M1", gender="male"))
    store.delete("Patient", "p1")
    page = store.history("Patient", "p1")
    assert page.total == 3
    assert [(e.version_id, e.deleted) for e in page.entries] == [
        ("3", True),
        ("2", False),
        ("1", False),
    ]
    assert page.entries[0].resource == {
        "resourceType": "Patient",
        "id": "p1",
        "meta": page.entries[0].resource["meta"],
    }


def test_history_of_type_and_system_with_paging_and_since(store):
    first = store.update("Patient", "p1", member("M1"))
    store.update("Task", "t1", {"resourceType": "Task", "status": "ready", "intent": "order"})
    store.update("Patient", "p2", member("M2"))
    assert [e.id for e in store.history("Patient").entries] == ["p2", "p1"]
    everything = store.history(count=2)
    assert (everything.total, everything.next_offset) == (3, 2)
    assert [e.id for e in everything.entries] == ["p2", "t1"]
    assert [e.id for e in store.history(count=2, offset=2).entries] == ["p1"]
    since = store.history(since=first.last_updated + timedelta(microseconds=1))
    assert sorted(e.id for e in since.entries) == ["p2", "t1"]
    assert store.history(since=first.last_updated).total == 3


def test_conditional_create_if_none_exist(store):
    made = store.create(member("M1"), if_none_exist=f"identifier={MEMBER_ID}|M1")
    again = store.create(member("M1"), if_none_exist=f"identifier={MEMBER_ID}|M1")
    assert made.status == "created"
    assert (again.status, again.id, again.version_id) == ("exists", made.id, "1")
    store.create(member("M1"))
    with pytest.raises(PreconditionFailed):
        store.create(member("M1"), if_none_exist=f"Patient?identifier={MEMBER_ID}|M1")


def test_conditional_update_creates_updates_or_refuses(store):
    query = f"identifier={MEMBER_ID}|M1"
    created = store.conditional_update("Patient", query, member("M1"))
    updated = store.conditional_update("Patient", query, member("M1", gender="female"))
    assert created.status == "created"
    assert (updated.status, updated.id, updated.version_id) == ("updated", created.id, "2")
    store.create(member("M1"))
    with pytest.raises(PreconditionFailed):
        store.conditional_update("Patient", query, member("M1"))


def test_listener_runs_inside_the_write_transaction(store):
    changes = []

    def listener(connection, change):
        # Reads through the writer's connection see the uncommitted version.
        seen = connection.execute(
            text("SELECT version FROM resource_current WHERE res_id = :id"), {"id": change["id"]}
        ).scalar_one()
        changes.append((change["action"], change["type"], change["id"], change["version"], seen))

    store.add_listener(listener)
    store.update("Patient", "p1", member("M1"))
    store.update("Patient", "p1", member("M1", gender="male"))
    store.update("Patient", "p1", member("M1", gender="male"))  # unchanged: no call
    store.delete("Patient", "p1")
    assert changes == [
        ("create", "Patient", "p1", "1", 1),
        ("update", "Patient", "p1", "2", 2),
        ("delete", "Patient", "p1", "3", 3),
    ]


def test_listener_failure_rolls_the_write_back(store):
    def refuse(_connection, _change):
        raise RuntimeError("outbox unavailable")

    store.add_listener(refuse)
    with pytest.raises(RuntimeError):
        store.update("Patient", "p1", member("M1"))
    store.listeners.clear()
    assert store.history("Patient", "p1").total == 0
    assert store.search("Patient", [("identifier", "M1")]).total == 0


def test_duplicate_version_row_becomes_a_conflict_and_nothing_is_stored(store):
    def write_the_same_version_again(connection, change):
        connection.execute(
            text(
                "INSERT INTO resource_version (res_type, res_id, version, last_updated, deleted,"
                " content) SELECT res_type, res_id, version, last_updated, deleted, content"
                " FROM resource_version WHERE res_id = :id"
            ),
            {"id": change["id"]},
        )

    store.add_listener(write_the_same_version_again)
    with pytest.raises(Conflict):
        store.update("Patient", "p1", member("M1"))
    store.listeners.clear()
    assert store.history("Patient", "p1").total == 0
