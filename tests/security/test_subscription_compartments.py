"""A subscriber is notified only of changes its compartment holds, and sees only its own
Subscriptions (SMART scopes and compartments as for every other read)."""

from __future__ import annotations

import copy

from adapter.exchange.subscriptions import REFERRAL_TOPIC
from adapter.store.schema import subscription_events
from tests.security.conftest import MBIL_TASK, MRLC_TASK


def topic_subscription() -> dict:
    return {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "Referral status",
        "criteria": REFERRAL_TOPIC,
        "channel": {
            "type": "rest-hook",
            "endpoint": "http://127.0.0.1:9/hook",
            "payload": "application/fhir+json",
        },
    }


def numbered_events(world, sub_id: str) -> list[tuple[int, str]]:
    table = subscription_events
    with world.store.engine.connect() as conn:
        rows = conn.execute(
            table.select().where(table.c.subscription_id == sub_id).order_by(table.c.number)
        )
        return [(row.number, row.res_id) for row in rows]


def test_a_cbo_subscriber_is_notified_only_of_its_own_tasks(fresh_world):
    http = fresh_world.client()
    mbil = fresh_world.headers("cbo_a")
    answer = http.post("/fhir/Subscription", json=topic_subscription(), headers=mbil)
    assert answer.status_code == 201, answer.get_json()
    sub_id = answer.get_json()["id"]
    for task_id in (MRLC_TASK, MBIL_TASK):
        task = copy.deepcopy(fresh_world.store.read("Task", task_id).resource)
        fresh_world.store.update("Task", task_id, task | {"status": "cancelled"})
    assert numbered_events(fresh_world, sub_id) == [(1, MBIL_TASK)]


def test_subscriptions_are_private_to_their_client(fresh_world):
    http = fresh_world.client()
    created = http.post(
        "/fhir/Subscription", json=topic_subscription(), headers=fresh_world.headers("cbo_a")
    ).get_json()
    other = fresh_world.headers("cbo_b")
    assert http.get(f"/fhir/Subscription/{created['id']}", headers=other).status_code == 404
    assert http.get("/fhir/Subscription", headers=other).get_json()["total"] == 0
    assert http.delete(f"/fhir/Subscription/{created['id']}", headers=other).status_code == 404
    owner = fresh_world.headers("cbo_a")
    assert http.get("/fhir/Subscription", headers=owner).get_json()["total"] == 1


def test_subscribing_needs_scopes_on_subscription_and_the_subscribed_type(fresh_world):
    http = fresh_world.client()
    no_subscription = fresh_world.headers("cbo_a", ["system/Task.rs"])
    answer = http.post("/fhir/Subscription", json=topic_subscription(), headers=no_subscription)
    assert answer.status_code == 403
    no_task = fresh_world.headers("cbo_a", ["system/Subscription.cruds"])
    answer = http.post("/fhir/Subscription", json=topic_subscription(), headers=no_task)
    assert answer.status_code == 422
    assert answer.get_json()["issue"][0]["expression"] == ["Subscription.criteria"]
