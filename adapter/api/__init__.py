"""The FHIR R4 REST facade (Flask application factory and routes)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from adapter.api import security
from adapter.api.authorization import register_authorization_server
from adapter.api.bulk import bulk
from adapter.api.capability import metadata
from adapter.api.conformance import conformance
from adapter.api.context import EXTENSION_KEY, ApiContext, base_path
from adapter.api.errors import register_error_handlers
from adapter.api.everything import everything
from adapter.api.formats import check_query, response_format
from adapter.api.gate import write_gate
from adapter.api.health import health
from adapter.api.history import history
from adapter.api.limits import enforce_request_limits
from adapter.api.operations import operations
from adapter.api.patch import patch
from adapter.api.rest import rest
from adapter.api.subscription_routes import register_subscription_routes
from adapter.api.transactions import system
from adapter.config import Settings
from adapter.security.audit import POSTGRES_WRITERS
from adapter.store import Store, open_store
from adapter.validation import default_validator, fhir_xml
from adapter.validation.definitions import load_base_r4

__all__ = ["create_app"]


def create_app(settings: Settings, *, store: Any = None, validator: Any = None) -> Flask:
    """A Flask app serving FHIR under the path of `settings.base_url` (default `/fhir`)."""
    app = Flask(__name__)
    # Werkzeug refuses larger bodies with 413 before anything reads them.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions[EXTENSION_KEY] = ApiContext(
        settings=settings,
        store=store if store is not None else _open_store(settings),
        validator=validator if validator is not None else default_validator(),
        xml=fhir_xml,
        definitions=load_base_r4(),
        write_gate=write_gate(settings.database_url),
    )
    register_error_handlers(app)
    # Authentication comes first: an anonymous caller learns nothing from later checks.
    security.install(app, settings)
    # Refuse a bad query or an unproducible format (406) before a write happens, not after.
    app.before_request(_check_request)
    blueprints = (
        metadata,
        security.smart,
        conformance,
        bulk,
        operations,
        everything,
        system,
        history,
        patch,
        rest,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint, url_prefix=base_path(settings))
    _register_exchange_and_webapp(app, settings)
    app.register_blueprint(health)  # /healthz and /readyz, beside the FHIR base
    return app


def _register_exchange_and_webapp(app: Flask, settings: Settings) -> None:
    """Outbox deliveries on every write, the /admin routes (admins only) and the /app pages."""
    from adapter.api.jobs import jobs
    from adapter.exchange.admin_api import admin, register_exchange
    from adapter.webapp import register_webapp

    store = app.extensions[EXTENSION_KEY].store
    for blueprint in (admin, jobs):
        app.before_request_funcs.setdefault(blueprint.name, []).append(security.require_admin)
    app.register_blueprint(jobs)
    register_exchange(app, store, settings)
    register_webapp(app, store, settings)
    register_authorization_server(app)
    register_subscription_routes(app, settings)


def _check_request() -> None:
    enforce_request_limits()
    check_query()
    response_format()


def _open_store(settings: Settings) -> Store:
    return open_store(
        settings.database_url,
        page_size_default=settings.page_size_default,
        page_size_max=settings.page_size_max,
        # Each request thread, the audit writers, and one for the exchange hooks and web pages.
        pool_size=settings.worker_threads + POSTGRES_WRITERS + 1,
    )
