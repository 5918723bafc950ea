"""Subscription notification Bundles as the Subscriptions R5 Backport IG shapes them for R4:
a `history` Bundle whose first entry is a SubscriptionStatus (Parameters) resource."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from adapter import clock
from adapter.store.dates import format_instant

BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition"
STATUS_PROFILE = f"{BACKPORT}/backport-subscription-status-r4"
NOTIFICATION_PROFILE = f"{BACKPORT}/backport-subscription-notification-r4"
CONTENTS = ("empty", "id-only", "full-resource")


@dataclass(frozen=True)
class Event:
    """One numbered event of a subscription: which resource version, and when."""

    number: int
    occurred_at: Any
    res_type: str
    res_id: str
    version: str
    resource: dict[str, Any] | None = None


@dataclass(frozen=True)
class StatusView:
    """What the SubscriptionStatus says of the subscription."""

    sub_id: str
    status: str
    topic: str | None
    events_since_start: int
    error: str | None = None


def status_parameters(
    view: StatusView, kind: str, base: str, events: list[Event], content: str
) -> dict[str, Any]:
    """The SubscriptionStatus of a notification or query, `kind` one of handshake, heartbeat,
    event-notification, query-status, query-event."""
    parameter: list[dict[str, Any]] = [
        {
            "name": "subscription",
            "valueReference": {"reference": f"{base}/Subscription/{view.sub_id}"},
        }
    ]
    if view.topic:
        parameter.append({"name": "topic", "valueCanonical": view.topic})
    parameter += [
        {"name": "status", "valueCode": view.status},
        {"name": "type", "valueCode": kind},
        {"name": "events-since-subscription-start", "valueString": str(view.events_since_start)},
    ]
    for event in events:
        part: list[dict[str, Any]] = [
            {"name": "event-number", "valueString": str(event.number)},
            {"name": "timestamp", "valueInstant": format_instant(event.occurred_at)},
        ]
        if content != "empty":
            reference = f"{base}/{event.res_type}/{event.res_id}/_history/{event.version}"
            part.append({"name": "focus", "valueReference": {"reference": reference}})
        parameter.append({"name": "notification-event", "part": part})
    if view.error:
        parameter.append({"name": "error", "valueCodeableConcept": {"text": view.error}})
    return {
        "resourceType": "Parameters",
        "id": str(uuid.uuid4()),
        "meta": {"profile": [STATUS_PROFILE]},
        "parameter": parameter,
    }


def notification_bundle(
    view: StatusView, kind: str, base: str, events: list[Event], content: str
) -> dict[str, Any]:
    """The `history` Bundle sent to the endpoint (and returned by `$events`)."""
    status = status_parameters(view, kind, base, events, content)
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": f"urn:uuid:{status['id']}",
            "resource": status,
            "request": {"method": "GET", "url": f"Subscription/{view.sub_id}/$status"},
            "response": {"status": "200"},
        }
    ]
    if content != "empty":
        for event in events:
            entry: dict[str, Any] = {
                "fullUrl": f"{base}/{event.res_type}/{event.res_id}",
                "request": {"method": "PUT", "url": f"{event.res_type}/{event.res_id}"},
                "response": {"status": "200"},
            }
            if content == "full-resource" and event.resource is not None:
                entry["resource"] = event.resource
            entries.append(entry)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"profile": [NOTIFICATION_PROFILE]},
        "type": "history",
        "timestamp": format_instant(clock.now()),
        "entry": entries,
    }


def status_bundle(view: StatusView, base: str) -> dict[str, Any]:
    """`$status`: a searchset of the SubscriptionStatus."""
    status = status_parameters(view, "query-status", base, [], "empty")
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 1,
        "entry": [
            {"fullUrl": f"urn:uuid:{status['id']}", "resource": status, "search": {"mode": "match"}}
        ],
    }
