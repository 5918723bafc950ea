"""FHIR R4 rest-hook Subscriptions: criteria matched on every write, notified via the outbox."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from adapter.config import Settings
from adapter.exchange.admin_api import register_exchange
from adapter.exchange.subscriptions import DESTINATION, SubscriptionNotifier
from adapter.exchange.worker import Worker, WorkerOptions
from tests.exchange.helpers import IMMEDIATE, items
from tests.exchange.resources import task
from tests.exchange.servers import HookReceiver


@pytest.fixture
def hook():
    with HookReceiver() as receiver:
        yield receiver


@pytest.fixture
def client(store):
    app = Flask(__name__)
    register_exchange(app, store, Settings())
    return app.test_client()


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


def notifier(store) -> Worker:
    destinations = {DESTINATION: SubscriptionNotifier(store.engine)}
    return Worker(store.engine, destinations, WorkerOptions(policy=IMMEDIATE))


def test_a_subscription_is_accepted_as_active(client, hook):
    answer = client.post("/admin/subscriptions", json=subscription(f"{hook.url}/hook"))
    assert answer.status_code == 201
    accepted = answer.get_json()
    assert accepted["status"] == "active"
    assert client.get(f"/admin/subscriptions/{accepted['id']}").get_json() == accepted
    assert client.get("/admin/subscriptions").get_json()["total"] == 1


def test_an_invalid_subscription_is_refused_with_located_issues(client):
    bad = subscription("ftp://x", criteria="Patient?name=x", type="websocket")
    answer = client.post("/admin/subscriptions", json={**bad, "reason": None})
    assert answer.status_code == 422
    where = [i["expression"][0] for i in answer.get_json()["issue"]]
    assert where == ["Subscription.criteria", "Subscription.reason", "Subscription.channel.type"]


def test_criteria_with_an_unknown_search_parameter_are_refused(client, hook):
    answer = client.post(
        "/admin/subscriptions", json=subscription(hook.url, criteria="Task?colour=blue")
    )
    assert answer.status_code == 400
    assert answer.get_json()["issue"][0]["expression"] == ["Subscription.criteria"]


def test_matching_writes_notify_the_subscriber_with_the_resource(store, client, hook):
    client.post("/admin/subscriptions", json=subscription(f"{hook.url}/hook"))
    store.update("Task", "svc-m1-a", task("M1", "a", status="requested"))
    store.update("Task", "svc-m2-a", task("M2", "a", status="cancelled"))
    report = notifier(store).drain(max_rounds=5, deadline_s=30)
    assert report.delivered == 1
    [(path, headers, body)] = hook.received
    assert path == "/hook"
    assert headers["Authorization"] == "Bearer hook-secret"
    assert headers["Content-Type"] == "application/fhir+json"
    assert json.loads(body)["id"] == "svc-m1-a"


def test_an_id_only_subscription_gets_an_empty_ping(store, client, hook):
    client.post("/admin/subscriptions", json=subscription(hook.url, payload=None))
    store.update("Task", "svc-m1-a", task("M1", "a"))
    notifier(store).drain(max_rounds=5, deadline_s=30)
    [(_path, _headers, body)] = hook.received
    assert body == b""


def test_a_failing_hook_is_retried_and_a_refusing_one_dead_lettered(store, client, hook):
    client.post("/admin/subscriptions", json=subscription(hook.url))
    hook.statuses.extend([503, 410])
    store.update("Task", "svc-m1-a", task("M1", "a"))
    report = notifier(store).drain(max_rounds=5, deadline_s=30)
    assert (report.retried, report.dead) == (1, 1)
    [item] = items(store)
    assert item.last_error["httpStatus"] == 410


def test_notifications_for_a_removed_subscription_are_dropped(store, client, hook):
    sub_id = client.post("/admin/subscriptions", json=subscription(hook.url)).get_json()["id"]
    store.update("Task", "svc-m1-a", task("M1", "a"))
    assert client.delete(f"/admin/subscriptions/{sub_id}").status_code == 204
    notifier(store).drain(max_rounds=5, deadline_s=30)
    assert hook.received == []
    assert client.get(f"/admin/subscriptions/{sub_id}").status_code == 404
