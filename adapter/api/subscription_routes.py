"""`/fhir/Subscription`: create, read, update, search and delete a caller's own Subscriptions,
and the Subscriptions R5 Backport operations `$status` and `$events`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, g, request

from adapter.api import security
from adapter.api.context import api, base_path, base_url
from adapter.api.formats import fhir_response
from adapter.config import Settings
from adapter.errors import InvalidRequest, NotFound
from adapter.exchange import subscriptions as subs
from adapter.exchange.notifications import CONTENTS, notification_bundle, status_bundle
from adapter.exchange.outbox import write_transaction
from adapter.security.principal import Principal

subscription_api = Blueprint("fhir_subscription", __name__)
SEARCH_PARAMS = frozenset({"_id", "status", "type", "url", "_count", "_format"})
MAX_EVENTS = 1000


def register_subscription_routes(app: Flask, settings: Settings) -> None:
    app.register_blueprint(subscription_api, url_prefix=base_path(settings))


def _caller(interaction: str) -> Principal:
    security.require_scope(interaction, "Subscription")
    return g.principal


def _engine() -> Any:
    return api().store.engine


def _mine(conn: Any, sub_id: str, caller: Principal) -> subs.Subscribed:
    """The caller's own Subscription; another client's is as unknown as a missing one."""
    found = subs.find(conn, sub_id)
    if not caller.is_admin and (found.owner is None or found.owner.client_id != caller.client_id):
        raise NotFound(f"Subscription/{sub_id} is not known")
    return found


def _body() -> Any:
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise InvalidRequest("Body must be a JSON Subscription resource")
    return body


def _location(sub_id: str) -> dict[str, str]:
    return {"Location": f"{base_url()}/Subscription/{sub_id}"}


@subscription_api.post("/Subscription")
def create() -> Response:
    caller = _caller("create")
    body = _body()
    if isinstance(body, dict):
        body.pop("id", None)  # create: the server assigns the id
    with write_transaction(_engine()) as conn:
        stored = subs.accept(conn, body, caller)
    return fhir_response(stored, 201, _location(stored["id"]))


@subscription_api.put("/Subscription/<rid>")
def put(rid: str) -> Response:
    caller = _caller("update")
    body = _body()
    if isinstance(body, dict) and body.setdefault("id", rid) != rid:
        raise InvalidRequest(f"Body id {body['id']!r} differs from {rid!r}", expression="id")
    with write_transaction(_engine()) as conn:
        _mine(conn, rid, caller)
        stored = subs.accept(conn, body, caller, rid)
    return fhir_response(stored)


@subscription_api.get("/Subscription/<rid>")
def read(rid: str) -> Response:
    caller = _caller("read")
    with _engine().connect() as conn:
        return fhir_response(_mine(conn, rid, caller).resource)


@subscription_api.delete("/Subscription/<rid>")
def delete(rid: str) -> Response:
    caller = _caller("delete")
    with write_transaction(_engine()) as conn:
        _mine(conn, rid, caller)
        subs.remove(conn, rid)
    return Response(status=204)


@subscription_api.get("/Subscription")
def search() -> Response:
    caller = _caller("search")
    unknown = set(request.args) - SEARCH_PARAMS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidRequest(f"Unknown search parameter {name!r} for Subscription", name)
    with _engine().connect() as conn:
        found = [s for s in subs.list_all(conn) if _visible(s, caller)]
    wanted = {name: set(request.args.get(name, "").split(",")) for name in ("_id", "status")}
    if request.args.get("_id"):
        found = [s for s in found if s.id in wanted["_id"]]
    if request.args.get("status"):
        found = [s for s in found if s.status in wanted["status"]]
    if request.args.get("url"):
        found = [
            s for s in found if s.resource.get("channel", {}).get("endpoint") == request.args["url"]
        ]
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [
            {
                "fullUrl": f"{base_url()}/Subscription/{s.id}",
                "resource": s.resource,
                "search": {"mode": "match"},
            }
            for s in found
        ],
    }
    return fhir_response(bundle)


def _visible(sub: subs.Subscribed, caller: Principal) -> bool:
    return caller.is_admin or (sub.owner is not None and sub.owner.client_id == caller.client_id)


@subscription_api.route("/Subscription/<rid>/$status", methods=["GET", "POST"])
def status(rid: str) -> Response:
    caller = _caller("read")
    with _engine().connect() as conn:
        found = _mine(conn, rid, caller)
    return fhir_response(status_bundle(found.view(base_url()), base_url()))


@subscription_api.route("/Subscription/$status", methods=["GET", "POST"])
def status_of_many() -> Response:
    caller = _caller("search")
    ids = [i for value in request.args.getlist("id") for i in value.split(",") if i]
    with _engine().connect() as conn:
        found = [s for s in subs.list_all(conn) if _visible(s, caller)]
    found = [s for s in found if not ids or s.id in ids]
    entries = [status_bundle(s.view(base_url()), base_url())["entry"][0] for s in found]
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(entries),
        "entry": entries,
    }
    return fhir_response(bundle)


@subscription_api.route("/Subscription/<rid>/$events", methods=["GET", "POST"])
def events(rid: str) -> Response:
    caller = _caller("read")
    content = request.args.get("content")
    if content is not None and content not in CONTENTS:
        raise InvalidRequest(f"content must be one of {', '.join(CONTENTS)}", "content")
    with _engine().connect() as conn:
        found = _mine(conn, rid, caller)
        last = min(_number("eventsUntilNumber", found.events), found.events)
        first = max(_number("eventsSinceNumber", max(1, last - MAX_EVENTS + 1)), 1)
        if last - first + 1 > MAX_EVENTS:
            first = last - MAX_EVENTS + 1
        listed = subs.events(conn, rid, first, last)
    view = found.view(base_url())
    bundle = notification_bundle(view, "query-event", base_url(), listed, content or found.content)
    return fhir_response(bundle)


def _number(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.strip().isdigit():
        raise InvalidRequest(f"{name} must be an event number", expression=name)
    return int(value)


def subscription_capability() -> dict[str, Any]:
    """The CapabilityStatement entry for Subscription and the R5 Backport operations."""
    backport = "http://hl7.org/fhir/uv/subscriptions-backport"
    return {
        "extension": [
            {
                "url": f"{subs.BACKPORT}/capabilitystatement-subscriptiontopic-canonical",
                "valueCanonical": topic,
            }
            for topic in subs.TOPICS
        ],
        "type": "Subscription",
        "supportedProfile": [subs.SUBSCRIPTION_PROFILE],
        "interaction": [
            {"code": code} for code in ("read", "update", "delete", "create", "search-type")
        ],
        "searchParam": [
            {"name": "_id", "type": "token"},
            {"name": "status", "type": "token"},
            {"name": "url", "type": "uri"},
        ],
        "operation": [
            {
                "name": "status",
                "definition": f"{backport}/OperationDefinition/backport-subscription-status",
            },
            {
                "name": "events",
                "definition": f"{backport}/OperationDefinition/backport-subscription-events",
            },
        ],
    }
