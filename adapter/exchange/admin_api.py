"""Admin routes for the exchange: the outbox (list, inspect, retry) and the partner registry.
Subscriptions are a FHIR resource (`/fhir/Subscription`, see adapter/api/subscription_routes.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from adapter.config import Settings
from adapter.errors import AdapterError, InvalidRequest, NotFound, Unprocessable
from adapter.exchange import outbox
from adapter.exchange.partners import parse_partner
from adapter.exchange.registry_file import RegistryFile
from adapter.exchange.subscriptions import SubscriptionListener
from adapter.exchange.wiring import attach_outbox
from adapter.security.policy import AccessPolicy
from adapter.store import Store

FHIR_JSON = "application/fhir+json"
MAX_COUNT = 1000

admin = Blueprint("exchange_admin", __name__, url_prefix="/admin")


class Exchange:
    """What the admin routes need: the store and the registry file."""

    def __init__(self, store: Store, registry_file: RegistryFile) -> None:
        self.store = store
        self.registry_file = registry_file


def register_exchange(app: Flask, store: Store, settings: Settings) -> Exchange:
    """Enqueue deliveries and notifications with every write; serve the /admin routes.

    Subscription notifications are only queued for changes the subscriber's compartment holds."""
    registry_file = RegistryFile(settings.exchange_partners_file or None)
    attach_outbox(store, registry_file)
    store.add_listener(
        SubscriptionListener(AccessPolicy(store, settings.auth_compartment_cache_seconds))
    )
    exchange = Exchange(store, registry_file)
    app.extensions["exchange"] = exchange
    app.register_blueprint(admin)
    return exchange


def _exchange() -> Exchange:
    return current_app.extensions["exchange"]


@admin.errorhandler(AdapterError)
def _render_error(error: AdapterError) -> Response:
    response = jsonify(error.outcome())
    response.status_code = error.http_status
    response.content_type = FHIR_JSON
    return response


def _json(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


@admin.get("/outbox")
def list_outbox() -> Response:
    state = request.args.get("state")
    if state and state not in outbox.STATUSES:
        raise InvalidRequest(
            f"state must be one of {', '.join(outbox.STATUSES)}", expression="state"
        )
    count = request.args.get("_count", "100")
    if not count.isdigit():
        raise InvalidRequest("_count must be a number", expression="_count")
    with _exchange().store.engine.connect() as conn:
        found = outbox.list_items(
            conn,
            status=state,
            destination=request.args.get("destination"),
            limit=min(int(count), MAX_COUNT),
        )
        counts = outbox.counts(conn)
    return _json({"counts": counts, "items": [item.to_json() for item in found]})


@admin.get("/outbox/<int:seq>")
def read_outbox_item(seq: int) -> Response:
    with _exchange().store.engine.connect() as conn:
        item = outbox.get_item(conn, seq)
    if item is None:
        raise NotFound(f"Outbox item {seq} is not known")
    return _json(item.to_json())


@admin.post("/outbox/$retry")
def retry_all_dead() -> Response:
    with outbox.write_transaction(_exchange().store.engine) as conn:
        return _json({"requeued": outbox.retry_dead(conn)})


@admin.post("/outbox/<int:seq>/$retry")
def retry_one(seq: int) -> Response:
    with outbox.write_transaction(_exchange().store.engine) as conn:
        item = outbox.get_item(conn, seq)
        if item is None:
            raise NotFound(f"Outbox item {seq} is not known")
        if item.status != outbox.DEAD:
            raise InvalidRequest(f"Outbox item {seq} is {item.status}, only dead items are retried")
        return _json({"requeued": outbox.retry_dead(conn, [seq])})


@admin.get("/partners")
def list_partners() -> Response:
    _exchange().registry_file.reload_if_changed()
    registry = _exchange().registry_file.registry
    return _json({"partners": [p.to_json() for p in registry]})


@admin.get("/partners/<partner_id>")
def read_partner(partner_id: str) -> Response:
    registry = _exchange().registry_file.registry
    if partner_id not in registry.partners:
        raise NotFound(f"Partner {partner_id!r} is not registered")
    return _json(registry.get(partner_id).to_json())


@admin.put("/partners/<partner_id>")
def put_partner(partner_id: str) -> Response:
    entry = request.get_json(silent=True)
    if not isinstance(entry, dict):
        raise InvalidRequest("Body must be a JSON partner entry (see partners.example.yaml)")
    if entry.setdefault("id", partner_id) != partner_id:
        raise InvalidRequest(
            f"Body id {entry['id']!r} differs from {partner_id!r}", expression="id"
        )
    partner, issues = parse_partner(entry, "partner")
    if partner is None:
        raise Unprocessable("Invalid partner entry", issues=issues)
    known = partner_id in _exchange().registry_file.registry.partners
    _exchange().registry_file.put(partner, entry)
    return _json(partner.to_json(), 200 if known else 201)


@admin.delete("/partners/<partner_id>")
def delete_partner(partner_id: str) -> Response:
    if partner_id not in _exchange().registry_file.registry.partners:
        raise NotFound(f"Partner {partner_id!r} is not registered")
    _exchange().registry_file.remove(partner_id)
    return Response(status=204)
