"""`ltsc-adapter serve`: the FHIR REST service under gunicorn (or Flask's server with --dev)."""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from sqlalchemy.engine import make_url

from adapter.api.context import base_path
from adapter.api.limits import GUNICORN_FIELD_BYTES
from adapter.config import Settings, settings_from_env
from adapter.errors import ConfigurationError
from adapter.security.authenticate import refuse_development_auth_beyond_loopback
from adapter.security.logsafe import install_log_redaction


def run_serve(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    refuse_development_auth_beyond_loopback(settings)
    if args.load_samples:
        from adapter.store import open_store

        store = open_store(settings.database_url)
        try:
            count = load_samples(store, settings)
            moved = reevaluate_now(store, settings)
            store.refresh_statistics()
        finally:
            store.close()
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        sys.stdout.write(f"Loaded {count} sample members into {where} ({moved})\n")
    sys.stdout.write(f"FHIR base URL: {served_base_url(settings)}\n")
    sys.stdout.write(auth_notice(settings))
    sys.stdout.flush()
    if args.dev:
        from adapter.api import create_app

        logging.basicConfig(level=settings.log_level)
        install_log_redaction()
        create_app(settings).run(host=settings.host, port=settings.port)
    else:
        FhirServer(settings).run()
    return 0


def reevaluate_now(store: Any, settings: Settings) -> str:
    """Bring freshly loaded members up to today (the samples describe an earlier day)."""
    from adapter.services import MemberService

    report = MemberService(store, settings).reevaluate()
    return f"re-evaluated as of {report.as_of}: {report.members_changed} changed"


def auth_notice(settings: Settings) -> str:
    """Prepare the development issuer before workers fork, and say how to get a token."""
    if settings.auth_mode == "off":
        return "Auth is OFF (ADAPTER_AUTH_MODE=off): every caller is an administrator.\n"
    from adapter.security.authenticate import Authenticator
    from adapter.security.command import token_hint

    Authenticator.from_settings(settings)  # creates the development key and clients if unset
    if settings.auth_jwks:
        return "Auth is on: send a bearer token from the configured issuer.\n"
    if settings.auth_dev_issuer == "off":
        from adapter.security.authorization_server import token_url

        return (
            f"Auth is on: clients registered with `ltsc-adapter clients add` get tokens from "
            f"{token_url(settings)}\n"
        )
    return token_hint(served_base_url(settings))


def served_base_url(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.port}{base_path(settings)}"


def load_samples(store: Any, settings: Settings | None = None) -> int:
    """Ingest the bundled sample export through the member service; returns members stored.

    Going through the member service (not bare Bundles) keeps each member's plan record, so
    later events — API Task updates, ADT messages, the web app — re-run the rules on it.
    """
    from adapter.config import SAMPLES_DIR
    from adapter.mapping.pipeline import SAMPLE_EXPORT
    from adapter.records import read_exports
    from adapter.services import MemberService

    result = read_exports([SAMPLES_DIR / SAMPLE_EXPORT])
    if result.errors:
        raise ConfigurationError(f"the sample export does not read cleanly: {result.errors[0]}")
    service = MemberService(store, settings or Settings())
    return sum(service.ingest(plan_export).members_stored for plan_export in result.exports)


class FhirServer(BaseApplication):
    """Gunicorn with settings.workers workers; each worker builds its own app (own DB pool)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.settings.workers)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.settings.worker_threads)
        self.cfg.set("loglevel", self.settings.log_level.lower())
        # Header fields up to this size reach the app, which answers oversized ones itself.
        self.cfg.set("limit_request_field_size", GUNICORN_FIELD_BYTES)
        # No preload: a database pool must not be shared across forked workers.
        self.cfg.set("preload_app", False)
        # Gunicorn 25+ opens a control socket at one path per user (~/.gunicorn), which every
        # server on the host would share; nothing here uses it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)
        if self.settings.reevaluate_check_minutes > 0:
            self.cfg.set("when_ready", self._start_daily_reevaluation)

    def _start_daily_reevaluation(self, _server: Any) -> None:
        """The members' re-evaluation once a day, in a process of its own: a thread of this
        master could hold a lock (SQLite's, the pool's) at the moment a worker is forked, and
        the worker would inherit it locked forever."""
        from adapter.services.daily import run_beside

        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=run_beside,
            args=(self.settings, os.getpid()),
            name="daily-reevaluation",
            daemon=True,
        )
        process.start()

    def load(self) -> Any:
        from adapter.api import create_app

        install_log_redaction()  # gunicorn's handlers exist by now, in every worker
        return create_app(self.settings)
