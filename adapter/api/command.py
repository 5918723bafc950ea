"""`ltsc-adapter serve`: the FHIR REST service under gunicorn (or Flask's server with --dev)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from adapter.api.context import base_path
from adapter.config import Settings, settings_from_env
from adapter.errors import ConfigurationError


def run_serve(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    if args.load_samples:
        from adapter.store import open_store

        store = open_store(settings.database_url)
        try:
            count = load_samples(store, settings)
        finally:
            store.close()
        sys.stdout.write(f"Loaded {count} sample bundles into {settings.database_url}\n")
    sys.stdout.write(f"FHIR base URL: {served_base_url(settings)}\n")
    sys.stdout.flush()
    if args.dev:
        from adapter.api import create_app

        create_app(settings).run(host=settings.host, port=settings.port)
    else:
        FhirServer(settings).run()
    return 0


def served_base_url(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.port}{base_path(settings)}"


def load_samples(store: Any, settings: Settings | None = None) -> int:
    """Map the bundled sample export and store each member's transaction Bundle."""
    try:
        from adapter.mapping.pipeline import sample_bundles
    except ImportError:
        raise ConfigurationError("sample mapping is not available") from None
    count = 0
    for bundle in sample_bundles(settings):
        store.transaction(bundle)
        count += 1
    return count


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
        # No preload: a database pool must not be shared across forked workers.
        self.cfg.set("preload_app", False)

    def load(self) -> Any:
        from adapter.api import create_app

        return create_app(self.settings)
