"""FHIR Subscriptions at /fhir/Subscription: R4 criteria and the R5 Backport referral topic,
matched on every write, numbered, and notified through the outbox with a life cycle."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from adapter.api import create_app
from adapter.config import Settings
from adapter.exchange.outbox import utcnow, write_transaction
from adapter.exchange.subscriptions import (
    DESTINATION,
    FILTER_CRITERIA,
    HEARTBEAT_PERIOD,
    PAYLOAD_CONTENT,
    REFERRAL_TOPIC,
    SubscriptionNotifier,
    enqueue_heartbeats,
)
from adapter.exchange.worker import Worker, WorkerOptions
from tests.exchange.helpers import IMMEDIATE, items
from tests.exchange.resources import task
from tests.exchange.servers import HookReceiver

BASE = "http://127.0.0.1:8080/fhir"


@pytest.fixture
def hook():
    with HookReceiver() as receiver:
        yield receiver


@pytest.fixture
def client(store, tmp_path):
    settings = Settings(
        database_url=str(store.engine.url),
        auth_mode="off",
        audit_mode="off",
        validation_mode="off",
        auth_dev_dir=str(tmp_path / "auth"),
    )
    return create_app(settings, store=store).test_client()


def subscription(endpoint: str, criteria: str = "Task?status=requested", **channel) -> dict:
    return {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "CBO referral updates",
        "criteria": criteria,
        "channel": {
            "type": "rest-hook",
            "endpoint": endpoint,
            "payload": "application/fhir+json",
            "header": ["Authorization: Bearer hook-secret"],
            **channel,
        },
    }


def topic_subscription(endpoint: str, content: str = "full-resource", filters: str = "") -> dict:
    resource = subscription(endpoint, criteria=REFERRAL_TOPIC)
    resource["channel"]["_payload"] = {
        "extension": [{"url": PAYLOAD_CONTENT, "valueCode": content}]
    }
    if filters:
        resource["_criteria"] = {"extension": [{"url": FILTER_CRITERIA, "valueString": filters}]}
    return resource


def notifier(store) -> Worker:
    destinations = {DESTINATION: SubscriptionNotifier(store.engine, BASE)}
    return Worker(store.engine, destinations, WorkerOptions(policy=IMMEDIATE))


def bundles(hook) -> list[dict]:
    return [json.loads(body) for _path, _headers, body in hook.received]


def status_of(bundle: dict) -> dict[str, object]:
    parameters = bundle["entry"][0]["resource"]
    assert parameters["resourceType"] == "Parameters"
    found: dict[str, object] = {}
    for p in parameters["parameter"]:
        value = next((v for k, v in p.items() if k.startswith("value")), None)
        found.setdefault(p["name"], []).append(value if value is not None else p.get("part"))
    return found


def create(client, resource: dict) -> dict:
    answer = client.post("/fhir/Subscription", json=resource)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_subscription_is_requested_then_activated_by_its_handshake(store, client, hook):
    created = create(client, subscription(f"{hook.url}/hook"))
    assert created["status"] == "requested"
    assert client.get(f"/fhir/Subscription/{created['id']}").get_json()["status"] == "requested"
    notifier(store).drain(max_rounds=5, deadline_s=30)
    [handshake] = bundles(hook)
    assert handshake["type"] == "history"
    assert status_of(handshake)["type"] == ["handshake"]
    assert status_of(handshake)["events-since-subscription-start"] == ["0"]
    assert client.get(f"/fhir/Subscription/{created['id']}").get_json()["status"] == "active"
    listed = client.get("/fhir/Subscription?status=active").get_json()
    assert listed["total"] == 1


def test_an_invalid_subscription_is_refused_with_located_issues(client):
    bad = subscription("ftp://x", criteria="Patient?name=x", type="websocket")
    answer = client.post("/fhir/Subscription", json={**bad, "reason": None})
    assert answer.status_code == 422
    where = [i["expression"][0] for i in answer.get_json()["issue"]]
    assert where == ["Subscription.criteria", "Subscription.reason", "Subscription.channel.type"]


def test_criteria_with_an_unknown_search_parameter_are_refused(client, hook):
    answer = client.post(
        "/fhir/Subscription", json=subscription(hook.url, criteria="Task?colour=blue")
    )
    assert answer.status_code == 400
    assert answer.get_json()["issue"][0]["expression"] == ["Subscription.criteria"]


def test_the_referral_topic_notifies_status_changes_in_order_with_event_numbers(
    store, client, hook
):
    sub = create(client, topic_subscription(hook.url, filters="Task?owner=Organization/cbo-bcil"))
    store.update("Task", "svc-m1-a", task("M1", "a", status="requested"))
    store.update("Task", "svc-m1-a", task("M1", "a", status="requested") | {"priority": "urgent"})
    store.update("Task", "svc-m1-a", task("M1", "a", status="accepted"))
    store.update("Task", "svc-m2-a", task("M2", "a", owner="cbo-other"))  # filtered out
    notifier(store).drain(max_rounds=10, deadline_s=30)
    handshake, first, second = bundles(hook)
    assert status_of(handshake)["type"] == ["handshake"]
    for bundle, number, status in ((first, "1", "requested"), (second, "2", "accepted")):
        found = status_of(bundle)
        assert found["type"] == ["event-notification"]
        assert found["topic"] == [REFERRAL_TOPIC]
        assert found["events-since-subscription-start"] == [number]
        assert bundle["entry"][1]["resource"]["status"] == status
    events = client.get(f"/fhir/Subscription/{sub['id']}/$events").get_json()
    assert status_of(events)["type"] == ["query-event"]
    assert [e["resource"]["status"] for e in events["entry"][1:]] == ["requested", "accepted"]
    status = client.get(f"/fhir/Subscription/{sub['id']}/$status").get_json()
    found = status_of(status)
    assert (found["status"], found["events-since-subscription-start"]) == (["active"], ["2"])


def test_id_only_content_sends_references_without_resources(store, client, hook):
    create(client, topic_subscription(hook.url, content="id-only"))
    store.update("Task", "svc-m1-a", task("M1", "a"))
    notifier(store).drain(max_rounds=5, deadline_s=30)
    event = bundles(hook)[1]
    assert event["entry"][1]["fullUrl"] == f"{BASE}/Task/svc-m1-a"
    assert "resource" not in event["entry"][1]


def test_a_subscription_without_payload_gets_empty_pings(store, client, hook):
    create(client, subscription(hook.url, payload=None))
    store.update("Task", "svc-m1-a", task("M1", "a"))
    notifier(store).drain(max_rounds=5, deadline_s=30)
    assert [body for _path, _headers, body in hook.received] == [b"", b""]


def test_a_refusing_endpoint_puts_the_subscription_in_error(store, client, hook):
    sub = create(client, subscription(hook.url))
    hook.statuses.extend([200, 503, 410])
    store.update("Task", "svc-m1-a", task("M1", "a"))
    report = notifier(store).drain(max_rounds=5, deadline_s=30)
    assert (report.retried, report.dead) == (1, 1)
    read = client.get(f"/fhir/Subscription/{sub['id']}").get_json()
    assert read["status"] == "error"
    assert "410" in read["error"]
    [_handshake, notification] = sorted(items(store), key=lambda i: i.seq)
    assert notification.last_error["httpStatus"] == 410


def test_the_retry_budget_ends_in_error(store, client, hook):
    sub = create(client, subscription(hook.url))
    notifier(store).drain(max_rounds=5, deadline_s=30)  # handshake: active
    hook.statuses.extend([503] * IMMEDIATE.max_attempts)
    store.update("Task", "svc-m1-a", task("M1", "a"))
    report = notifier(store).drain(max_rounds=10, deadline_s=30)
    assert (report.retried, report.dead) == (IMMEDIATE.max_attempts - 1, 1)
    assert client.get(f"/fhir/Subscription/{sub['id']}").get_json()["status"] == "error"


def test_notifications_for_a_removed_subscription_are_dropped(store, client, hook):
    sub_id = create(client, subscription(hook.url))["id"]
    store.update("Task", "svc-m1-a", task("M1", "a"))
    assert client.delete(f"/fhir/Subscription/{sub_id}").status_code == 204
    notifier(store).drain(max_rounds=5, deadline_s=30)
    assert hook.received == []
    assert client.get(f"/fhir/Subscription/{sub_id}").status_code == 404


def test_a_subscription_switched_off_is_not_notified(store, client, hook):
    sub = create(client, subscription(hook.url))
    notifier(store).drain(max_rounds=5, deadline_s=30)
    answer = client.put(f"/fhir/Subscription/{sub['id']}", json={**sub, "status": "off"})
    assert answer.get_json()["status"] == "off"
    store.update("Task", "svc-m1-a", task("M1", "a"))
    notifier(store).drain(max_rounds=5, deadline_s=30)
    assert len(hook.received) == 1  # the handshake only


def test_the_admin_alias_is_gone(client):
    assert client.get("/admin/subscriptions").status_code == 404


def test_a_quiet_subscription_gets_heartbeats_at_its_period(store, client, hook):
    resource = topic_subscription(hook.url)
    resource["channel"]["extension"] = [{"url": HEARTBEAT_PERIOD, "valueUnsignedInt": 60}]
    create(client, resource)
    notifier(store).drain(max_rounds=5, deadline_s=30)  # handshake: active
    start = utcnow()
    with write_transaction(store.engine) as conn:
        assert enqueue_heartbeats(conn, start) == 0  # the timer starts
        assert enqueue_heartbeats(conn, start + timedelta(seconds=30)) == 0
        assert enqueue_heartbeats(conn, start + timedelta(seconds=61)) == 1
    notifier(store).drain(max_rounds=5, deadline_s=30)
    heartbeat = bundles(hook)[-1]
    assert status_of(heartbeat)["type"] == ["heartbeat"]
    assert status_of(heartbeat)["events-since-subscription-start"] == ["0"]
    assert len(heartbeat["entry"]) == 1
