"""The transactional outbox: enqueued with the change, claimed once, in order per member."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapter.errors import PreconditionFailed
from adapter.exchange import outbox
from adapter.exchange.listener import OutboxListener
from adapter.exchange.partners import MemberSelection, Partner, PartnerRegistry
from adapter.store.database import WRITE_OPTION
from adapter.store.schema import outbox as outbox_table
from tests.exchange.resources import patient, task


def claim(store, worker="w1", limit=100, lease_s=60.0, now=None):
    with store.engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            return outbox.claim(conn, worker, limit=limit, lease_s=lease_s, now=now)


def settle(store, fn, *args):
    with store.engine.begin() as conn:
        return fn(conn, *args)


def listed(store, **filters):
    with store.engine.connect() as conn:
        return outbox.list_items(conn, **filters)


def test_a_write_enqueues_its_delivery_in_the_same_transaction(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    [item] = listed(routed_store)
    assert (item.destination, item.reference, item.version, item.status) == (
        "ehr",
        "Patient/mbr-m1",
        "1",
        "pending",
    )
    assert item.payload["name"][0]["family"] == "Santos"
    assert item.ordering_key == "Patient/mbr-m1"


def test_a_refused_write_enqueues_nothing(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    with pytest.raises(PreconditionFailed):
        routed_store.update("Patient", "mbr-m1", patient("M1", "Other"), if_match='W/"7"')
    assert len(listed(routed_store)) == 1


def test_an_unchanged_write_enqueues_nothing(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    assert len(listed(routed_store)) == 1


def test_a_failing_listener_undoes_the_change(store, ehr):
    def broken(conn, change):
        raise RuntimeError("outbox unavailable")

    store.add_listener(broken)
    with pytest.raises(RuntimeError):
        store.update("Patient", "mbr-m1", patient("M1"))
    store.listeners.clear()
    assert store.search("Patient", []).total == 0


def test_partners_receive_only_their_resource_types_and_members(store):
    everyone = Partner(id="all-tasks", base_url="http://127.0.0.1:9", resource_types=("Task",))
    bcil = Partner(
        id="bcil",
        base_url="http://127.0.0.1:9",
        resource_types=("Task", "Patient"),
        members=MemberSelection(cbos=("BCIL",)),
    )
    store.add_listener(OutboxListener(PartnerRegistry([everyone, bcil])))
    store.update("Patient", "mbr-m1", patient("M1"))
    store.update("Task", "svc-m1-a", task("M1", "a", owner="cbo-bcil"))
    store.update("Task", "svc-m2-a", task("M2", "a", owner="cbo-other"))
    sent = sorted((i.destination, i.reference) for i in listed(store))
    assert sent == [
        ("all-tasks", "Task/svc-m1-a"),
        ("all-tasks", "Task/svc-m2-a"),
        ("bcil", "Task/svc-m1-a"),
    ]


def test_a_member_selected_by_care_team_receives_the_members_other_resources(store):
    bcil = Partner(
        id="bcil",
        base_url="http://127.0.0.1:9",
        resource_types=("Patient",),
        members=MemberSelection(care_team_staff=("LTSC-0001",)),
    )
    store.update(
        "CareTeam",
        "team-m1",
        {
            "resourceType": "CareTeam",
            "id": "team-m1",
            "subject": {"reference": "Patient/mbr-m1"},
            "participant": [{"member": {"reference": "PractitionerRole/role-ltsc-0001"}}],
        },
    )
    store.add_listener(OutboxListener(PartnerRegistry([bcil])))
    store.update("Patient", "mbr-m1", patient("M1"))
    store.update("Patient", "mbr-m2", patient("M2"))
    assert [i.reference for i in listed(store)] == ["Patient/mbr-m1"]


def test_one_members_changes_are_claimed_one_at_a_time_in_order(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    routed_store.update("Patient", "mbr-m1", patient("M1", "Second"))
    routed_store.update("Task", "svc-m1-a", task("M1", "a"))
    routed_store.update("Patient", "mbr-m2", patient("M2"))
    first = claim(routed_store)
    assert [i.reference + "@" + i.version for i in first] == [
        "Patient/mbr-m1@1",
        "Patient/mbr-m2@1",
    ]
    assert claim(routed_store, "w2") == []
    settle(routed_store, outbox.mark_delivered, first[0], "w1")
    [second] = claim(routed_store, "w2")
    assert (second.reference, second.version) == ("Patient/mbr-m1", "2")


def test_concurrent_workers_never_claim_the_same_item(routed_store):
    for n in range(60):
        routed_store.update("Patient", f"mbr-m{n}", patient(f"M{n}"))
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def work(name: str) -> None:
        barrier.wait(timeout=10)
        mine = claimed.setdefault(name, [])
        for _round in range(30):
            mine.extend(i.seq for i in claim(routed_store, name, limit=5))

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every = [seq for seqs in claimed.values() for seq in seqs]
    assert len(every) == 60
    assert len(set(every)) == 60


def test_an_expired_lease_is_claimed_again_and_the_late_worker_cannot_settle(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    [taken] = claim(routed_store, "dead-worker", lease_s=30)
    later = outbox.utcnow() + timedelta(seconds=31)
    [again] = claim(routed_store, "w2", now=later)
    assert again.seq == taken.seq
    assert settle(routed_store, outbox.mark_delivered, taken, "dead-worker") is False
    assert settle(routed_store, outbox.mark_delivered, again, "w2") is True
    [item] = listed(routed_store)
    assert item.status == "delivered"


def test_dead_items_keep_their_reason_and_can_be_requeued(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    [item] = claim(routed_store)
    reason = {"resourceType": "OperationOutcome", "issue": [{"code": "invalid"}]}
    settle(routed_store, outbox.mark_dead, item, "w1", reason)
    [dead] = listed(routed_store, status="dead")
    assert dead.last_error == reason
    assert dead.to_json()["lastError"] == reason
    assert settle(routed_store, outbox.retry_dead, [dead.seq]) == 1
    [requeued] = claim(routed_store)
    assert (requeued.seq, requeued.attempts) == (dead.seq, 0)


def test_counts_by_status(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    routed_store.update("Patient", "mbr-m2", patient("M2"))
    [first, _second] = claim(routed_store)
    settle(routed_store, outbox.mark_delivered, first, "w1")
    with routed_store.engine.connect() as conn:
        assert outbox.counts(conn) == {"pending": 0, "leased": 1, "delivered": 1, "dead": 0}
        rows = conn.execute(select(outbox_table.c.leased_by)).scalars().all()
    assert sorted(r or "" for r in rows) == ["", "w1"]


def test_a_delete_waits_behind_the_members_earlier_changes(routed_store):
    routed_store.update("Task", "svc-m1-a", task("M1", "a"))
    routed_store.delete("Task", "svc-m1-a")
    first, second = listed(routed_store)[::-1]
    assert (first.action, second.action) == ("create", "delete")
    assert second.ordering_key == first.ordering_key == "Patient/mbr-m1"
    assert second.payload is None
    assert [i.action for i in claim(routed_store)] == ["create"]


def test_a_delete_reaches_the_partners_that_received_the_resource(store):
    bcil = Partner(
        id="bcil",
        base_url="http://127.0.0.1:9",
        resource_types=("Task",),
        members=MemberSelection(cbos=("BCIL",)),
    )
    store.add_listener(OutboxListener(PartnerRegistry([bcil])))
    store.update("Task", "svc-m1-a", task("M1", "a", owner="cbo-bcil"))
    store.delete("Task", "svc-m1-a")
    assert sorted(i.action for i in listed(store)) == ["create", "delete"]


def test_a_lease_renewed_in_time_is_not_claimed_by_another_worker(routed_store):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    [taken] = claim(routed_store, "slow-worker", lease_s=30)
    held = settle(routed_store, outbox.extend_lease, [taken.seq], "slow-worker", 300)
    assert held == 1
    later = outbox.utcnow() + timedelta(seconds=31)
    assert claim(routed_store, "w2", now=later) == []
    assert settle(routed_store, outbox.extend_lease, [taken.seq], "w2", 300) == 0


def test_team_discretion_an_ltsc_whose_participation_ended_no_longer_receives_the_member(store):
    bcil = Partner(
        id="bcil",
        base_url="http://127.0.0.1:9",
        resource_types=("Patient",),
        members=MemberSelection(care_team_staff=("LTSC-0001",)),
    )
    ended = {"start": "2026-04-15", "end": "2026-10-20"}  # the member refused participation
    store.update(
        "CareTeam",
        "team-m1",
        {
            "resourceType": "CareTeam",
            "id": "team-m1",
            "subject": {"reference": "Patient/mbr-m1"},
            "participant": [
                {"member": {"reference": "PractitionerRole/role-ltsc-0001"}, "period": ended}
            ],
        },
    )
    store.add_listener(OutboxListener(PartnerRegistry([bcil])))
    store.update("Patient", "mbr-m1", patient("M1"))
    assert listed(store) == []
