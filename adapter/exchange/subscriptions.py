"""FHIR R4 Subscriptions (rest-hook): accepted here, matched on every write, notified through
the outbox with the same retries and dead letters as partner deliveries."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import requests
from sqlalchemy import Connection, Engine, delete, insert, select

from adapter.errors import InvalidRequest, NotFound, Unprocessable
from adapter.exchange.delivery import FHIR_JSON, Verdict, failure, judge
from adapter.exchange.outbox import OutboxItem, enqueue, utcnow
from adapter.exchange.routing import ordering_key
from adapter.outcome import Issue
from adapter.store import search
from adapter.store.schema import subscriptions
from adapter.store.writes import check_id

DESTINATION = "subscriptions"
SUBSCRIBABLE_TYPES = ("Task", "CarePlan", "CareTeam")
NOTIFY_TIMEOUT_S = (5.0, 30.0)


def subscription_issues(resource: Any) -> list[Issue]:
    """What stops a Subscription from being accepted; each issue located by FHIRPath."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Subscription":
        return [_issue("Subscription", "Body must be a Subscription resource")]
    issues = []
    criteria = resource.get("criteria")
    if not isinstance(criteria, str) or criteria.split("?")[0] not in SUBSCRIBABLE_TYPES:
        allowed = ", ".join(SUBSCRIBABLE_TYPES)
        issues.append(_issue("Subscription.criteria", f"criteria must start with {allowed}"))
    if resource.get("status") not in ("requested", "active"):
        issues.append(_issue("Subscription.status", "status must be requested or active"))
    if not isinstance(resource.get("reason"), str):
        issues.append(_issue("Subscription.reason", "reason is required"))
    return issues + _channel_issues(resource.get("channel"))


def _channel_issues(channel: Any) -> list[Issue]:
    if not isinstance(channel, dict) or channel.get("type") != "rest-hook":
        return [_issue("Subscription.channel.type", "only rest-hook channels are supported")]
    issues = []
    endpoint = channel.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        issues.append(_issue("Subscription.channel.endpoint", "endpoint must be an http(s) URL"))
    if channel.get("payload") not in (None, FHIR_JSON, "application/json"):
        text = "payload must be application/fhir+json or absent (id-only ping)"
        issues.append(_issue("Subscription.channel.payload", text))
    headers = channel.get("header") or []
    if not all(isinstance(h, str) and ":" in h for h in headers):
        issues.append(_issue("Subscription.channel.header", "headers look like 'Name: value'"))
    return issues


def _issue(where: str, message: str) -> Issue:
    return Issue("error", "invalid", message, (where,))


def accept(conn: Connection, resource: dict[str, Any]) -> dict[str, Any]:
    """Store a Subscription as active; its criteria are checked against our search parameters."""
    issues = subscription_issues(resource)
    if issues:
        raise Unprocessable("The Subscription cannot be accepted", issues=issues)
    resource_type, _, query = resource["criteria"].partition("?")
    sub_id = resource.get("id") or str(uuid.uuid4())
    check_id(sub_id)
    _matches(conn, resource_type, query, "criteria-check")  # refuses unknown parameters
    accepted = {**resource, "id": sub_id, "status": "active"}
    conn.execute(delete(subscriptions).where(subscriptions.c.id == sub_id))
    conn.execute(
        insert(subscriptions).values(
            id=sub_id,
            res_type=resource_type,
            criteria=resource["criteria"],
            status="active",
            content=orjson.dumps(accepted).decode(),
            created_at=utcnow(),
        )
    )
    return accepted


def read(conn: Connection, sub_id: str) -> dict[str, Any]:
    row = conn.execute(select(subscriptions.c.content).where(subscriptions.c.id == sub_id)).first()
    if row is None:
        raise NotFound(f"Subscription/{sub_id} is not known")
    return orjson.loads(row.content)


def list_all(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(subscriptions.c.content).order_by(subscriptions.c.created_at))
    return [orjson.loads(row.content) for row in rows]


def remove(conn: Connection, sub_id: str) -> None:
    if conn.execute(delete(subscriptions).where(subscriptions.c.id == sub_id)).rowcount == 0:
        raise NotFound(f"Subscription/{sub_id} is not known")


def _matches(conn: Connection, resource_type: str, query: str, resource_id: str) -> bool:
    """Whether the resource matches `query`, evaluated by the store's own search index."""
    conditional = f"{query}&_id={resource_id}" if query else f"_id={resource_id}"
    try:
        return bool(search.match_ids(conn, resource_type, conditional, search.Paging()))
    except InvalidRequest as error:
        raise InvalidRequest(error.message, expression="Subscription.criteria") from error


class SubscriptionListener:
    """Store listener: a notification row for every active Subscription the change matches."""

    def __call__(self, conn: Connection, change: dict[str, Any]) -> None:
        if change["type"] not in SUBSCRIBABLE_TYPES or change.get("resource") is None:
            return
        rows = conn.execute(
            select(subscriptions.c.id, subscriptions.c.criteria).where(
                subscriptions.c.res_type == change["type"], subscriptions.c.status == "active"
            )
        ).all()
        for row in rows:
            if _matches(conn, change["type"], row.criteria.partition("?")[2], change["id"]):
                key = f"{row.id}|{ordering_key(change)}"
                payload = {"subscription": row.id, "resource": change["resource"]}
                enqueue(conn, change, [DESTINATION], key, kind="notification", payload=payload)


class SubscriptionNotifier:
    """The worker's destination for notifications: POST to each Subscription's endpoint."""

    def __init__(self, engine: Engine, session: requests.Session | None = None) -> None:
        self.engine = engine
        self.session = session or requests.Session()

    def deliver(self, items: list[OutboxItem]) -> dict[int, Verdict]:
        return {item.seq: self.notify(item) for item in items}

    def notify(self, item: OutboxItem) -> Verdict:
        payload = item.payload or {}
        with self.engine.connect() as conn:
            try:
                subscription = read(conn, payload.get("subscription", ""))
            except NotFound:
                return Verdict("delivered")  # unsubscribed since: nothing is owed any more
        channel = subscription["channel"]
        headers = dict(h.split(":", 1) for h in channel.get("header") or [])
        headers = {k.strip(): v.strip() for k, v in headers.items()}
        body = None
        if channel.get("payload"):
            body = orjson.dumps(payload.get("resource"))
            headers["Content-Type"] = channel["payload"]
        try:
            answer = self.session.post(
                channel["endpoint"], data=body, headers=headers, timeout=NOTIFY_TIMEOUT_S
            )
        except requests.RequestException as error:
            return Verdict("retry", failure(f"notification to {channel['endpoint']}: {error}"))
        return judge(answer)
