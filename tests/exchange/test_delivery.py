"""Delivery over real HTTP to the test's own partner: idempotent PUTs, retries, dead letters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapter.exchange.listener import OutboxListener
from adapter.exchange.outbox import retry_dead
from adapter.exchange.partners import Partner, PartnerRegistry
from tests.exchange.helpers import items, statuses, worker
from tests.exchange.resources import patient, task
from tests.exchange.servers import MiniPartner, outcome


@pytest.fixture
def partner_server():
    with MiniPartner() as server:
        yield server


@pytest.fixture
def partner(partner_server) -> Partner:
    return Partner(id="ehr", base_url=partner_server.fhir, resource_types=("Patient", "Task"))


def routed(store, partner):
    store.add_listener(OutboxListener(PartnerRegistry([partner])))
    return store


def test_changes_arrive_as_puts_by_deterministic_id(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1"))
    store.update("Task", "svc-m1-a", task("M1", "a"))
    report = worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert report.delivered == 2
    assert sorted(partner_server.resources) == ["Patient/mbr-m1", "Task/svc-m1-a"]
    assert partner_server.requests[0] == ("PUT", "/fhir/Patient/mbr-m1")
    assert statuses(store) == ["delivered", "delivered"]


def test_delivering_twice_creates_no_duplicate(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1"))
    worker(store, partner).drain(max_rounds=5, deadline_s=30)
    store.update("Patient", "mbr-m1", patient("M1", "Silva"))
    worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert list(partner_server.resources) == ["Patient/mbr-m1"]
    assert partner_server.resources["Patient/mbr-m1"]["name"][0]["family"] == "Silva"


def test_our_version_metadata_is_not_sent(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", {**patient("M1"), "meta": {"profile": ["urn:p"]}})
    worker(store, partner).drain(max_rounds=5, deadline_s=30)
    meta = partner_server.resources["Patient/mbr-m1"]["meta"]
    assert meta["profile"] == ["urn:p"]
    assert meta["versionId"] == "1"


def test_conditional_update_mode_puts_by_identifier(store, partner, partner_server):
    routed(store, replace(partner, delivery="conditional-update"))
    partner_server.resources["Patient/their-7"] = {
        **patient("M1"),
        "id": "their-7",
        "meta": {"versionId": "3"},
    }
    store.update("Patient", "mbr-m1", patient("M1", "Silva"))
    worker(store, replace(partner, delivery="conditional-update")).drain(
        max_rounds=5, deadline_s=30
    )
    method, path = partner_server.requests[0]
    assert (method, path.split("?")[0]) == ("PUT", "/fhir/Patient")
    assert "identifier=" in path
    assert list(partner_server.resources) == ["Patient/their-7"]
    assert partner_server.resources["Patient/their-7"]["name"][0]["family"] == "Silva"


def test_transaction_mode_sends_one_bundle_per_batch(store, partner, partner_server):
    bundled = replace(partner, delivery="transaction")
    routed(store, bundled)
    for n in range(5):
        store.update("Patient", f"mbr-m{n}", patient(f"M{n}"))
    worker(store, bundled).drain(max_rounds=5, deadline_s=30)
    assert partner_server.requests == [("POST", "/fhir")]
    assert len(partner_server.resources) == 5


def test_a_server_error_is_retried_and_then_delivered(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1"))
    partner_server.scripted.extend([(500, {}, outcome("exception", "db down")), (503, {}, None)])
    report = worker(store, partner).drain(max_rounds=10, deadline_s=30)
    assert (report.retried, report.delivered) == (2, 1)
    [item] = items(store)
    assert (item.status, item.attempts) == ("delivered", 3)


def test_retry_after_is_honoured(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1"))
    partner_server.scripted.append((429, {"Retry-After": "120"}, None))
    worker(store, partner).run_once()
    [item] = items(store)
    waited = (item.next_attempt_at - item.created_at).total_seconds()
    assert item.status == "pending"
    assert 119 < waited < 130


def test_a_client_error_is_dead_lettered_with_the_partners_outcome(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1"))
    refusal = outcome("invalid", "Patient.name: family is required by our profile")
    partner_server.scripted.append((422, {}, refusal))
    report = worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert report.dead == 1
    [item] = items(store)
    assert item.status == "dead"
    assert item.attempts == 1
    assert item.last_error["issue"] == refusal["issue"]
    assert item.last_error["httpStatus"] == 422


def test_a_precondition_failure_is_reconciled_by_re_reading(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1"))
    partner_server.resources["Patient/mbr-m1"] = {**patient("M1"), "meta": {"versionId": "9"}}
    partner_server.scripted.append((412, {}, outcome("conflict", "version mismatch")))
    report = worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert report.delivered == 1
    assert partner_server.requests[-1] == ("GET", "/fhir/Patient/mbr-m1")


def test_a_conflict_with_other_content_is_retried(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1", "Ours"))
    partner_server.scripted.append((409, {}, outcome("conflict", "busy")))
    report = worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert (report.retried, report.delivered) == (1, 1)
    assert partner_server.resources["Patient/mbr-m1"]["name"][0]["family"] == "Ours"


def test_a_delete_of_something_already_gone_counts_as_delivered(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1"))
    worker(store, partner).drain(max_rounds=5, deadline_s=30)
    partner_server.resources.clear()
    store.delete("Patient", "mbr-m1")
    report = worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert report.delivered == 1
    assert partner_server.requests[-1] == ("DELETE", "/fhir/Patient/mbr-m1")


def test_an_unreachable_partner_is_retried_then_dead_lettered(store):
    nowhere = Partner(id="gone", base_url="http://127.0.0.1:9/fhir", resource_types=("Patient",))
    routed(store, nowhere)
    store.update("Patient", "mbr-m1", patient("M1"))
    report = worker(store, nowhere).drain(max_rounds=10, deadline_s=30)
    assert (report.retried, report.dead) == (3, 1)
    [item] = items(store)
    assert "failed" in item.last_error["issue"][0]["diagnostics"]


def test_a_requeued_old_change_is_not_sent_over_a_newer_one(store, partner, partner_server):
    routed(store, partner)
    store.update("Patient", "mbr-m1", patient("M1", "Old"))
    partner_server.scripted.append((400, {}, outcome("invalid", "transient bug")))
    worker(store, partner).drain(max_rounds=5, deadline_s=30)
    store.update("Patient", "mbr-m1", patient("M1", "New"))
    worker(store, partner).drain(max_rounds=5, deadline_s=30)
    with store.engine.begin() as conn:
        assert retry_dead(conn) == 1
    sent_before = len(partner_server.requests)
    worker(store, partner).drain(max_rounds=5, deadline_s=30)
    assert len(partner_server.requests) == sent_before
    assert partner_server.resources["Patient/mbr-m1"]["name"][0]["family"] == "New"
    assert statuses(store) == ["delivered", "delivered"]


CAPABILITY_WITH_TRANSACTION = {
    "resourceType": "CapabilityStatement",
    "rest": [{"mode": "server", "interaction": [{"code": "transaction"}, {"code": "batch"}]}],
}


def test_auto_mode_sends_bundles_to_a_partner_whose_capability_lists_transaction(
    store, partner, partner_server
):
    auto = replace(partner, delivery="auto")
    routed(store, auto)
    for n in range(5):
        store.update("Patient", f"mbr-m{n}", patient(f"M{n}"))
    partner_server.scripted.append((200, {}, CAPABILITY_WITH_TRANSACTION))
    worker(store, auto).drain(max_rounds=5, deadline_s=30)
    assert partner_server.requests == [("GET", "/fhir/metadata"), ("POST", "/fhir")]
    assert len(partner_server.resources) == 5
    assert statuses(store) == ["delivered"] * 5


def test_auto_mode_puts_each_resource_when_transaction_is_not_listed(
    store, partner, partner_server
):
    auto = replace(partner, delivery="auto")
    routed(store, auto)
    for n in range(3):
        store.update("Patient", f"mbr-m{n}", patient(f"M{n}"))
    without = {"resourceType": "CapabilityStatement", "rest": [{"mode": "server"}]}
    partner_server.scripted.append((200, {}, without))
    worker(store, auto).drain(max_rounds=5, deadline_s=30)
    assert partner_server.requests[0] == ("GET", "/fhir/metadata")
    assert sorted(m for m, _ in partner_server.requests[1:]) == ["PUT"] * 3
    assert statuses(store) == ["delivered"] * 3


def test_a_big_batch_goes_as_parallel_bundles_each_resource_once(store, partner, partner_server):
    bundled = replace(partner, delivery="transaction")
    routed(store, bundled)
    for n in range(40):
        store.update("Patient", f"mbr-m{n}", patient(f"M{n}"))
    client = worker(store, bundled, batch_size=40)
    client.destinations["ehr"].concurrency = 4
    client.drain(max_rounds=5, deadline_s=30)
    assert partner_server.requests == [("POST", "/fhir")] * 4
    assert len(partner_server.resources) == 40
    assert statuses(store) == ["delivered"] * 40
