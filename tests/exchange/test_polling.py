"""Polling a CBO's own FHIR server for the Tasks it owns (Gravity-style performer updates)."""

from __future__ import annotations

import pytest
import requests

from adapter.canonical import BASE
from adapter.exchange.auth import NoCredentials
from adapter.exchange.delivery import PartnerClient
from adapter.exchange.partners import Partner, PollConfig
from adapter.exchange.polling import TaskPoller
from tests.exchange.resources import task
from tests.exchange.servers import MiniPartner

OWNER = "Organization/cbo-bcil"


@pytest.fixture(scope="module")
def validator():
    from adapter.validation import default_validator

    return default_validator()


@pytest.fixture
def cbo_server():
    with MiniPartner() as server:
        yield server


@pytest.fixture
def poller(store, cbo_server, validator):
    partner = Partner(
        id="bcil",
        base_url=cbo_server.fhir,
        resource_types=("Task",),
        poll=PollConfig(owner=OWNER, overlap_s=300),
    )
    client = PartnerClient(partner, requests.Session(), NoCredentials())
    return TaskPoller(partner, client, store, validator)


def accepted(member: str, key: str) -> dict:
    """The CBO accepts, naming the vendor (an accepted fulfillment Task needs an output)."""
    vendor = {"system": f"{BASE}/CodeSystem/task-io-type", "code": "vendor"}
    output = [{"type": {"coding": [vendor]}, "valueReference": {"reference": "Organization/v-1"}}]
    return {**task(member, key, status="accepted"), "output": output}


def their_update(server: MiniPartner, resource: dict) -> None:
    server._put("Task", resource["id"], resource)


def test_a_cbo_accepting_its_task_is_applied_here(store, cbo_server, poller):
    store.update("Task", "svc-m1-a", task("M1", "a"))
    their_update(
        cbo_server, {**accepted("M1", "a"), "businessStatus": {"text": "vendor identified"}}
    )
    report = poller.poll_once()
    assert report.applied == 1
    ours = store.read("Task", "svc-m1-a").resource
    assert ours["status"] == "accepted"
    assert ours["businessStatus"] == {"text": "vendor identified"}
    assert ours["requester"] == {"reference": "Organization/plan-cca-oc"}
    method, path = cbo_server.requests[0]
    assert method == "GET"
    assert "owner=Organization%2Fcbo-bcil" in path
    assert "_lastUpdated=gt" in path


def test_only_performer_elements_are_taken_from_the_cbo(store, cbo_server, poller):
    store.update("Task", "svc-m1-a", task("M1", "a"))
    theirs = {
        **task("M1", "a", status="rejected"),
        "statusReason": {"text": "no capacity in area"},
        "requester": {"reference": "Organization/someone-else"},
    }
    their_update(cbo_server, theirs)
    poller.poll_once()
    ours = store.read("Task", "svc-m1-a").resource
    assert ours["status"] == "rejected"
    assert ours["statusReason"] == {"text": "no capacity in area"}
    assert ours["requester"] == {"reference": "Organization/plan-cca-oc"}


def test_re_polling_the_overlap_window_applies_each_version_once(store, cbo_server, poller):
    store.update("Task", "svc-m1-a", task("M1", "a"))
    their_update(cbo_server, accepted("M1", "a"))
    first = poller.poll_once()
    second = poller.poll_once()
    assert (first.applied, second.applied, second.seen_before) == (1, 0, 1)
    assert store.read("Task", "svc-m1-a").version_id == "2"


def test_an_illegal_transition_is_refused_and_the_partner_told_why(store, cbo_server, poller):
    cancelled = {**task("M1", "a", status="cancelled"), "statusReason": {"text": "member moved"}}
    store.update("Task", "svc-m1-a", cancelled)
    their_update(cbo_server, accepted("M1", "a"))
    report = poller.poll_once()
    assert report.applied == 0
    [(where, issues)] = report.refused.items()
    assert where == "Task/svc-m1-a/_history/1"
    assert issues[0].expression == ("Task.status",)
    assert store.read("Task", "svc-m1-a").resource["status"] == "cancelled"
    [notice] = [r for k, r in cbo_server.resources.items() if k.startswith("Communication/")]
    assert notice["about"] == [{"reference": "Task/svc-m1-a"}]
    assert "cannot move to accepted from cancelled" in notice["payload"][0]["contentString"]


def test_several_moves_between_two_polls_are_recorded_in_order(store, cbo_server, poller):
    store.update("Task", "svc-m1-a", task("M1", "a"))
    done = {
        **accepted("M1", "a"),
        "status": "completed",
        "executionPeriod": {"start": "2026-11-01", "end": "2026-11-02"},
    }
    their_update(cbo_server, done)  # requested -> accepted -> in-progress -> completed there

    report = poller.poll_once()

    assert report.applied == 1
    history = store.history("Task", "svc-m1-a").entries
    statuses = [e.resource["status"] for e in sorted(history, key=lambda e: int(e.version_id))]
    assert statuses == ["requested", "accepted", "completed"]


def test_polling_keeps_up_with_a_server_that_pages_without_next_links(store, cbo_server, poller):
    for n in range(250):
        store.update("Task", f"svc-m{n}-a", task(f"M{n}", "a"))
        their_update(cbo_server, accepted(f"M{n}", "a"))

    report = poller.poll_once()

    assert report.applied == 250
    assert all(
        store.read("Task", f"svc-m{n}-a").resource["status"] == "accepted" for n in range(250)
    )


def test_an_invalid_update_is_refused_by_validation(store, cbo_server, poller):
    store.update("Task", "svc-m1-a", task("M1", "a"))
    their_update(cbo_server, {**accepted("M1", "a"), "businessStatus": "vendor found"})
    report = poller.poll_once()
    assert report.applied == 0
    assert report.refused
    assert store.read("Task", "svc-m1-a").resource["status"] == "requested"


def test_a_task_unknown_here_is_refused_not_created(store, cbo_server, poller):
    their_update(cbo_server, accepted("M9", "z"))
    report = poller.poll_once()
    assert list(report.refused) == ["Task/svc-m9-z/_history/1"]
    assert store.search("Task", []).total == 0


def test_an_unreachable_cbo_is_reported_not_raised(store, validator):
    partner = Partner(
        id="gone",
        base_url="http://127.0.0.1:9/fhir",
        resource_types=("Task",),
        poll=PollConfig(owner=OWNER),
    )
    client = PartnerClient(partner, requests.Session(), NoCredentials())
    report = TaskPoller(partner, client, store, validator).poll_once()
    assert report.error["resourceType"] == "OperationOutcome"


def test_each_applied_cbo_update_is_handed_to_the_rules_once(store, cbo_server, validator):
    """The worker passes applied updates to the member service (rules_reaction) — once each."""
    reacted: list[dict] = []
    partner = Partner(
        id="bcil",
        base_url=cbo_server.fhir,
        resource_types=("Task",),
        poll=PollConfig(owner=OWNER, overlap_s=300),
    )
    client = PartnerClient(partner, requests.Session(), NoCredentials())
    poller = TaskPoller(partner, client, store, validator, on_applied=reacted.append)
    store.update("Task", "svc-m1-a", task("M1", "a"))
    their_update(cbo_server, accepted("M1", "a"))
    poller.poll_once()
    poller.poll_once()
    assert [t["status"] for t in reacted] == ["accepted"]
    assert reacted[0]["id"] == "svc-m1-a"
