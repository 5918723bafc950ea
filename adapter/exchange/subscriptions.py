"""FHIR Subscriptions over rest-hook: R4 criteria-based, and topic-based as the Subscriptions R5
Backport IG defines them for R4 (the referral Task status topic). Matched on every write inside
the write's transaction, numbered per subscription, and notified through the outbox, so
notifications survive restarts and endpoint outages and arrive in order.

Life cycle: a new (or re-requested) Subscription is `requested`; the worker sends a handshake,
and its success makes it `active` (with heartbeats when the channel asks for them); a
notification dead-lettered after the retry budget (or refused outright) puts it in `error`
with the reason; the subscriber may set it `off`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson
import requests
from sqlalchemy import Connection, Engine, delete, insert, select, update

from adapter.canonical import BASE
from adapter.errors import InvalidRequest, NotFound, Unprocessable
from adapter.exchange.delivery import FHIR_JSON, Verdict, failure, judge
from adapter.exchange.notifications import (
    BACKPORT,
    CONTENTS,
    Event,
    StatusView,
    notification_bundle,
)
from adapter.exchange.outbox import OutboxItem, enqueue, utcnow
from adapter.outcome import Issue
from adapter.security.principal import Principal
from adapter.security.scopes import scopes_allow
from adapter.store import search
from adapter.store.schema import subscription_events, subscriptions, versions
from adapter.store.writes import check_id

DESTINATION = "subscriptions"
SUBSCRIBABLE_TYPES = ("Task", "ServiceRequest", "CareTeam", "CarePlan")
NOTIFY_TIMEOUT_S = (5.0, 30.0)
# The topic a referral's partners follow: a Task was created or its status changed.
REFERRAL_TOPIC = f"{BASE}/SubscriptionTopic/referral-task-status"
TOPICS = {REFERRAL_TOPIC: "Task"}
FILTER_CRITERIA = f"{BACKPORT}/backport-filter-criteria"
PAYLOAD_CONTENT = f"{BACKPORT}/backport-payload-content"
HEARTBEAT_PERIOD = f"{BACKPORT}/backport-heartbeat-period"
SUBSCRIPTION_PROFILE = f"{BACKPORT}/backport-subscription"
LIVE = ("requested", "active")
REQUESTABLE = ("requested", "active", "off")
PAYLOAD_TYPES = (FHIR_JSON, "application/json")


@dataclass(frozen=True)
class Subscribed:
    """A stored subscription: its row and the resource as accepted."""

    id: str
    res_type: str
    query: str
    topic: str | None
    status: str
    events: int
    resource: dict[str, Any]
    owner: Principal | None

    @property
    def content(self) -> str:
        """empty | id-only | full-resource, as the channel asks (full when a payload is set)."""
        payload = (self.resource.get("channel") or {}).get("_payload") or {}
        for extension in payload.get("extension") or []:
            if extension.get("url") == PAYLOAD_CONTENT and extension.get("valueCode") in CONTENTS:
                return extension["valueCode"]
        return "full-resource" if (self.resource.get("channel") or {}).get("payload") else "empty"

    def view(self, base: str) -> StatusView:
        error = self.resource.get("error") if self.status == "error" else None
        return StatusView(self.id, self.status, self.topic, self.events, error)


def _owner_json(owner: Principal) -> str:
    fields = {
        "client_id": owner.client_id,
        "subject": owner.subject,
        "org_kind": owner.org_kind,
        "org_id": owner.org_id,
        "staff_id": owner.staff_id,
        "scopes": sorted(owner.scopes),
    }
    return orjson.dumps(fields).decode()


def _owner(text: str | None) -> Principal | None:
    if not text:
        return None
    data = orjson.loads(text)
    return Principal(
        subject=data["subject"],
        client_id=data["client_id"],
        org_kind=data["org_kind"],
        org_id=data["org_id"],
        scopes=frozenset(data["scopes"]),
        staff_id=data.get("staff_id"),
    )


def _subscribed(row: Any) -> Subscribed:
    criteria = row.criteria
    return Subscribed(
        id=row.id,
        res_type=row.res_type,
        query=criteria.partition("?")[2],
        topic=row.topic,
        status=row.status,
        events=row.events,
        resource=orjson.loads(row.content),
        owner=_owner(row.owner),
    )


# -- what a subscriber asks for ------------------------------------------------------------


def _issue(where: str, message: str) -> Issue:
    return Issue("error", "invalid", message, (where,))


def filter_criteria(resource: dict[str, Any]) -> str | None:
    """The backport filter (`Subscription._criteria` extension), e.g. `Task?owner=...`."""
    for extension in (resource.get("_criteria") or {}).get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == FILTER_CRITERIA:
            value = extension.get("valueString")
            return value if isinstance(value, str) else ""
    return None


def interpret(resource: dict[str, Any]) -> tuple[str, str, str | None]:
    """(resource type, search query, topic) of an already validated Subscription."""
    criteria = resource["criteria"]
    if criteria in TOPICS:
        rtype = TOPICS[criteria]
        return rtype, (filter_criteria(resource) or "").partition("?")[2], criteria
    rtype, _, query = criteria.partition("?")
    return rtype, query, None


def subscription_issues(resource: Any) -> list[Issue]:
    """What stops a Subscription from being accepted; each issue located by FHIRPath."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Subscription":
        return [_issue("Subscription", "Body must be a Subscription resource")]
    issues = []
    criteria = resource.get("criteria")
    if isinstance(criteria, str) and criteria in TOPICS:
        found = filter_criteria(resource)
        if found is not None and not found.startswith(f"{TOPICS[criteria]}?"):
            text = f"the filter must be a search on {TOPICS[criteria]}, like Task?owner=..."
            issues.append(_issue("Subscription.criteria.extension", text))
    elif not isinstance(criteria, str) or criteria.split("?")[0] not in SUBSCRIBABLE_TYPES:
        allowed = ", ".join(SUBSCRIBABLE_TYPES)
        text = f"criteria must be the topic {REFERRAL_TOPIC} or a search on {allowed}"
        issues.append(_issue("Subscription.criteria", text))
    if resource.get("status") not in REQUESTABLE:
        issues.append(_issue("Subscription.status", "status must be requested, active or off"))
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
    if channel.get("payload") not in (None, *PAYLOAD_TYPES):
        text = "payload must be application/fhir+json or absent (an empty ping)"
        issues.append(_issue("Subscription.channel.payload", text))
    for extension in (channel.get("_payload") or {}).get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == PAYLOAD_CONTENT:
            if extension.get("valueCode") not in CONTENTS:
                text = f"payload content must be one of {', '.join(CONTENTS)}"
                issues.append(_issue("Subscription.channel.payload.extension", text))
    headers = channel.get("header") or []
    if not isinstance(headers, list) or not all(isinstance(h, str) and ":" in h for h in headers):
        issues.append(_issue("Subscription.channel.header", "headers look like 'Name: value'"))
    return issues


# -- stored subscriptions ------------------------------------------------------------------


def accept(
    conn: Connection,
    resource: Any,
    owner: Principal,
    sub_id: str | None = None,
) -> dict[str, Any]:
    """Store a new or changed Subscription as `requested` (or `off`) and queue its handshake.

    The criteria are checked against our search parameters; the owner's scopes must allow
    searching the subscribed type."""
    issues = subscription_issues(resource)
    if issues:
        raise Unprocessable("The Subscription cannot be accepted", issues=issues)
    rtype, query, topic = interpret(resource)
    if not scopes_allow(owner.scopes, "search", rtype):
        raise Unprocessable(
            f"The client's scopes do not allow searching {rtype}",
            issues=[_issue("Subscription.criteria", f"no search scope on {rtype}")],
        )
    sub_id = sub_id or str(uuid.uuid4())
    check_id(sub_id)
    if query:
        _matches(conn, rtype, query, "criteria-check")  # refuses unknown parameters
    status = "off" if resource["status"] == "off" else "requested"
    stored = {k: v for k, v in resource.items() if k != "error"} | {"id": sub_id, "status": status}
    previous = conn.execute(
        select(subscriptions.c.events).where(subscriptions.c.id == sub_id)
    ).first()
    values = {
        "res_type": rtype,
        "criteria": f"{rtype}?{query}" if query else rtype,
        "status": status,
        "content": orjson.dumps(stored).decode(),
        "owner": _owner_json(owner),
        "topic": topic,
        "heartbeat_at": None,
    }
    if previous is None:
        conn.execute(
            insert(subscriptions).values(id=sub_id, created_at=utcnow(), events=0, **values)
        )
    else:
        conn.execute(update(subscriptions).where(subscriptions.c.id == sub_id).values(**values))
    if status == "requested":
        change = {"type": "Subscription", "id": sub_id, "version": "0", "action": "handshake"}
        payload = {"subscription": sub_id}
        enqueue(conn, change, [DESTINATION], _key(sub_id), kind="handshake", payload=payload)
    return stored


def _key(sub_id: str) -> str:
    """One ordering key per subscription: its notifications go strictly one after another."""
    return f"Subscription/{sub_id}"


def find(conn: Connection, sub_id: str) -> Subscribed:
    row = conn.execute(select(subscriptions).where(subscriptions.c.id == sub_id)).first()
    if row is None:
        raise NotFound(f"Subscription/{sub_id} is not known")
    return _subscribed(row)


def read(conn: Connection, sub_id: str) -> dict[str, Any]:
    return find(conn, sub_id).resource


def list_all(conn: Connection) -> list[Subscribed]:
    rows = conn.execute(select(subscriptions).order_by(subscriptions.c.created_at))
    return [_subscribed(row) for row in rows]


def remove(conn: Connection, sub_id: str) -> None:
    if conn.execute(delete(subscriptions).where(subscriptions.c.id == sub_id)).rowcount == 0:
        raise NotFound(f"Subscription/{sub_id} is not known")
    conn.execute(delete(subscription_events).where(subscription_events.c.subscription_id == sub_id))


def set_status(conn: Connection, sub_id: str, status: str, error: str | None = None) -> None:
    """Move a subscription along its life cycle; `error` is the reason for `error`."""
    row = conn.execute(select(subscriptions.c.content).where(subscriptions.c.id == sub_id)).first()
    if row is None:
        return
    resource = orjson.loads(row.content) | {"status": status}
    resource.pop("error", None)
    if error:
        resource["error"] = error[:1000]
    conn.execute(
        update(subscriptions)
        .where(subscriptions.c.id == sub_id)
        .values(status=status, content=orjson.dumps(resource).decode())
    )


def events(conn: Connection, sub_id: str, first: int, last: int) -> list[Event]:
    """Events `first..last` (inclusive) with the resource version each one was about."""
    table = subscription_events
    rows = conn.execute(
        select(table)
        .where(table.c.subscription_id == sub_id, table.c.number.between(first, last))
        .order_by(table.c.number)
    ).all()
    found = []
    for row in rows:
        content = conn.execute(
            select(versions.c.content).where(
                versions.c.res_type == row.res_type,
                versions.c.res_id == row.res_id,
                versions.c.version == int(row.version),
            )
        ).scalar()
        resource = orjson.loads(content) if content else None
        found.append(
            Event(row.number, row.occurred_at, row.res_type, row.res_id, row.version, resource)
        )
    return found


def _matches(conn: Connection, resource_type: str, query: str, resource_id: str) -> bool:
    """Whether the resource matches `query`, evaluated by the store's own search index."""
    conditional = f"{query}&_id={resource_id}" if query else f"_id={resource_id}"
    try:
        return bool(search.match_ids(conn, resource_type, conditional, search.Paging()))
    except InvalidRequest as error:
        raise InvalidRequest(error.message, expression="Subscription.criteria") from error


# -- matching writes -------------------------------------------------------------------------


class SubscriptionListener:
    """Store listener: numbers an event and queues a notification for every live Subscription
    the change matches and whose owner's compartment holds the changed resource."""

    def __init__(self, policy: Any = None) -> None:
        self.policy = policy  # AccessPolicy; None = no compartment check (administration only)

    def __call__(self, conn: Connection, change: dict[str, Any]) -> None:
        if change["type"] not in SUBSCRIBABLE_TYPES or change.get("resource") is None:
            return
        rows = conn.execute(
            select(subscriptions).where(
                subscriptions.c.res_type == change["type"], subscriptions.c.status.in_(LIVE)
            )
        ).all()
        for row in rows:
            subscribed = _subscribed(row)
            if self._triggered(conn, subscribed, change):
                self._notify(conn, subscribed, change)

    def _triggered(self, conn: Connection, sub: Subscribed, change: dict[str, Any]) -> bool:
        if sub.topic == REFERRAL_TOPIC and not _status_changed(conn, change):
            return False
        if sub.query and not _matches(conn, change["type"], sub.query, change["id"]):
            return False
        owner = sub.owner
        if owner is None or self.policy is None:
            return True
        if not scopes_allow(owner.scopes, "search", change["type"]):
            return False
        return bool(self.policy.can_access(owner, change["resource"]))

    def _notify(self, conn: Connection, sub: Subscribed, change: dict[str, Any]) -> None:
        # The row lock of this update orders concurrent writers: numbers follow commit order.
        now = utcnow()
        conn.execute(
            update(subscriptions)
            .where(subscriptions.c.id == sub.id)
            .values(events=subscriptions.c.events + 1, heartbeat_at=now)
        )
        number = conn.execute(
            select(subscriptions.c.events).where(subscriptions.c.id == sub.id)
        ).scalar_one()
        conn.execute(
            insert(subscription_events).values(
                subscription_id=sub.id,
                number=number,
                res_type=change["type"],
                res_id=change["id"],
                version=change["version"],
                occurred_at=now,
            )
        )
        payload = {
            "subscription": sub.id,
            "event": number,
            "occurred": now.isoformat(),
            "resource": change["resource"],
        }
        enqueue(conn, change, [DESTINATION], _key(sub.id), kind="notification", payload=payload)


def _status_changed(conn: Connection, change: dict[str, Any]) -> bool:
    """A Task created, or its status changed since the version before (the topic's trigger)."""
    number = int(change["version"])
    if change["action"] == "create" or number <= 1:
        return True
    before = conn.execute(
        select(versions.c.content, versions.c.deleted).where(
            versions.c.res_type == change["type"],
            versions.c.res_id == change["id"],
            versions.c.version == number - 1,
        )
    ).first()
    if before is None or before.deleted:
        return True
    return orjson.loads(before.content).get("status") != change["resource"].get("status")


def heartbeat_period(resource: dict[str, Any]) -> int | None:
    """Seconds between heartbeats the subscriber asked for (backport extension), or None."""
    for extension in (resource.get("channel") or {}).get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == HEARTBEAT_PERIOD:
            value = extension.get("valueUnsignedInt")
            return value if isinstance(value, int) and value > 0 else None
    return None


def enqueue_heartbeats(conn: Connection, now: datetime | None = None) -> int:
    """Queue a heartbeat for each active Subscription that asked for one and has heard nothing
    for its period; the count queued. The worker calls this between rounds."""
    now = now or utcnow()
    rows = conn.execute(select(subscriptions).where(subscriptions.c.status == "active")).all()
    queued = 0
    for row in rows:
        period = heartbeat_period(orjson.loads(row.content))
        if period is None:
            continue
        if row.heartbeat_at is not None and (now - row.heartbeat_at).total_seconds() < period:
            continue
        conn.execute(
            update(subscriptions).where(subscriptions.c.id == row.id).values(heartbeat_at=now)
        )
        if row.heartbeat_at is None:
            continue  # the timer starts now
        change = {"type": "Subscription", "id": row.id, "version": "0", "action": "heartbeat"}
        payload = {"subscription": row.id}
        enqueue(conn, change, [DESTINATION], _key(row.id), kind="heartbeat", payload=payload)
        queued += 1
    return queued


# -- delivering --------------------------------------------------------------------------------


class SubscriptionNotifier:
    """The worker's destination for handshakes and notifications: POST to each endpoint."""

    def __init__(
        self, engine: Engine, base_url: str = "", session: requests.Session | None = None
    ) -> None:
        self.engine = engine
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()

    def deliver(self, items: list[OutboxItem]) -> dict[int, Verdict]:
        return {item.seq: self.notify(item) for item in items}

    def notify(self, item: OutboxItem) -> Verdict:
        payload = item.payload or {}
        with self.engine.connect() as conn:
            try:
                sub = find(conn, payload.get("subscription", ""))
            except NotFound:
                return Verdict("delivered")  # unsubscribed since: nothing is owed any more
        if item.kind == "handshake":
            return self._handshake(sub)
        if item.kind == "heartbeat":
            if sub.status != "active":
                return Verdict("delivered")  # nothing to keep alive
            body = notification_bundle(
                sub.view(self.base_url), "heartbeat", self.base_url, [], "empty"
            )
            return self._post(sub, body)
        if sub.status == "off":
            return Verdict("delivered")  # switched off: the event stays available to $events
        if sub.status == "error":
            return Verdict("dead", failure(f"Subscription/{sub.id} is in error"))
        event = Event(
            number=int(payload["event"]),
            occurred_at=datetime.fromisoformat(payload["occurred"]),
            res_type=item.res_type,
            res_id=item.res_id,
            version=item.version,
            resource=payload.get("resource"),
        )
        view = replace(sub.view(self.base_url), events_since_start=event.number)
        body = notification_bundle(view, "event-notification", self.base_url, [event], sub.content)
        return self._post(sub, body)

    def _handshake(self, sub: Subscribed) -> Verdict:
        if sub.status != "requested":
            return Verdict("delivered")  # already active, off or in error: nothing to confirm
        body = notification_bundle(sub.view(self.base_url), "handshake", self.base_url, [], "empty")
        verdict = self._post(sub, body)
        if verdict.outcome == "delivered":
            with self.engine.begin() as conn:
                set_status(conn, sub.id, "active")
        return verdict

    def _post(self, sub: Subscribed, bundle: dict[str, Any]) -> Verdict:
        channel = sub.resource["channel"]
        pairs = (h.split(":", 1) for h in channel.get("header") or [])
        headers = {name.strip(): value.strip() for name, value in pairs}
        body = None
        if channel.get("payload"):
            body = orjson.dumps(bundle)
            headers["Content-Type"] = channel["payload"]
        try:
            answer = self.session.post(
                channel["endpoint"], data=body, headers=headers, timeout=NOTIFY_TIMEOUT_S
            )
        except requests.RequestException as error:
            return Verdict("retry", failure(f"notification to {channel['endpoint']}: {error}"))
        return judge(answer)

    def dead_lettered(self, conn: Connection, item: OutboxItem, error: dict[str, Any]) -> None:
        """The retry budget is spent (or the endpoint refused): the subscription is in error."""
        sub_id = (item.payload or {}).get("subscription", "")
        row = conn.execute(
            select(subscriptions.c.status).where(subscriptions.c.id == sub_id)
        ).first()
        if row is None or row.status in ("error", "off"):
            return
        texts = [i.get("diagnostics") for i in error.get("issue") or [] if isinstance(i, dict)]
        reason = next((t for t in texts if t), "the endpoint did not accept notifications")
        status = error.get("httpStatus")
        answered = f" (HTTP {status})" if status else ""
        attempts = item.attempts + 1
        text = f"Notification not delivered after {attempts} attempt(s){answered}: {reason}"
        set_status(conn, sub_id, "error", text)
