"""The one settings object, read once from ADAPTER_* variables and checked at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from adapter.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = PROJECT_ROOT / "profiles"
MAPPINGS_DIR = PROJECT_ROOT / "mappings"
SAMPLES_DIR = PROJECT_ROOT / "samples"

VALIDATION_MODES = ("reject", "warn", "off")


@dataclass(frozen=True)
class Settings:
    """Adapter settings; tests build their own with `Settings(...)` or `replace()`."""

    database_url: str = "sqlite:///var/adapter.db"
    base_url: str = "http://127.0.0.1:8080/fhir"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    # Threads per gunicorn worker (gthread): database waits overlap and connections stay alive.
    worker_threads: int = 4
    # reject: invalid writes get 422; warn: stored, issues returned; off: structure only.
    validation_mode: str = "reject"
    # FHIR REST request bodies above this are refused with 413 before parsing.
    max_request_bytes: int = 10 * 1024 * 1024
    # JSON nesting and array limits guard the parsers against hostile input.
    max_json_depth: int = 64
    max_array_length: int = 10_000
    page_size_default: int = 50
    page_size_max: int = 1000
    # AVAIL-REQUEST: days the plan has to make an LTS-C available after a member asks.
    request_offer_days: int = 14
    # OFFER-ANNUAL: days before the enrollment anniversary that the annual re-offer Task appears.
    annual_offer_lead_days: int = 30
    log_level: str = "INFO"

    def validate(self) -> Settings:
        problems = []
        if self.validation_mode not in VALIDATION_MODES:
            problems.append(f"ADAPTER_VALIDATION_MODE must be one of {', '.join(VALIDATION_MODES)}")
        for name in ("port", "workers", "max_request_bytes", "page_size_default", "page_size_max"):
            if getattr(self, name) <= 0:
                problems.append(f"ADAPTER_{name.upper()} must be a positive number")
        if self.request_offer_days < 0:
            problems.append("ADAPTER_REQUEST_OFFER_DAYS must not be negative")
        if problems:
            raise ConfigurationError("Invalid settings: " + "; ".join(problems))
        return self


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every ADAPTER_<FIELD> variable; one error lists all bad keys."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    problems = []
    for f in fields(Settings):
        key = f"ADAPTER_{f.name.upper()}"
        if key not in environ:
            continue
        raw = environ[key]
        if f.type in ("int", int):
            try:
                values[f.name] = int(raw)
            except ValueError:
                problems.append(f"{key} must be an integer, got {raw!r}")
        else:
            values[f.name] = raw
    if problems:
        raise ConfigurationError("Invalid settings: " + "; ".join(problems))
    return replace(Settings(), **values).validate()
