"""The one settings object, read once from ADAPTER_* variables and checked at start-up."""

from __future__ import annotations

import difflib
import ipaddress
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
# ADAPTER_* variables read elsewhere than Settings: the product clock and the test database.
OTHER_VARIABLES = frozenset({"ADAPTER_CLOCK", "ADAPTER_TEST_POSTGRES_URL"})
# Settings that hold secrets may instead be read from a file named by ADAPTER_<NAME>_FILE (for
# Docker secrets, mounted under /run/secrets); one trailing line break is dropped.
SECRET_SETTINGS = ("database_url", "database_password", "webapp_secret_key")
LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class Settings:
    """Adapter settings; tests build their own with `Settings(...)` or `replace()`."""

    # State kept between runs (development keys, the web app's secret) lives here; a relative
    # path is taken from the directory the command runs in, never from the source tree.
    data_dir: str = "var"
    database_url: str = "sqlite:///var/adapter.db"
    # The PostgreSQL password, kept out of ADAPTER_DATABASE_URL (usually given as
    # ADAPTER_DATABASE_PASSWORD_FILE); it is put into the URL when the settings are read.
    database_password: str = ""
    base_url: str = "http://127.0.0.1:8080/fhir"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    # Threads per gunicorn worker (gthread): database waits overlap and connections stay alive.
    worker_threads: int = 4
    # reject: invalid writes get 422; warn: stored, issues returned; off: structure only.
    validation_mode: str = "reject"
    # 1 = a write whose local references resolve neither in its Bundle nor in the store is
    # refused (as HAPI FHIR does); 0 relaxes it, e.g. for a migration loaded in pieces.
    reference_integrity: int = 1
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
    # Exchange: the partner registry (YAML, see partners.example.yaml); empty = no partners.
    exchange_partners_file: str = ""
    # Outbox items a worker leases per round; bigger batches mean fewer database round trips.
    exchange_batch_size: int = 50
    # A worker that dies holding a lease releases its items after this many seconds.
    exchange_lease_seconds: int = 120
    # Attempts before an item that keeps failing with retryable errors is dead-lettered.
    exchange_max_attempts: int = 12
    # Backoff doubles from 1 s per attempt up to this ceiling (plus jitter).
    exchange_backoff_cap_seconds: int = 300
    # How long an idle worker waits before looking at the outbox again.
    exchange_idle_seconds: int = 2
    # Parallel requests per partner within a batch (a batch never holds two of one member's).
    exchange_concurrency: int = 8
    # Bulk Data `$export`: where the worker writes NDJSON files, and how long they are kept.
    bulk_export_dir: str = "var/bulk-export"
    bulk_export_expiry_seconds: int = 3600
    log_level: str = "INFO"
    # Every this many minutes the service and the worker look whether today's re-evaluation of
    # stored members has run (docs/rules.md, "Evaluation dates"); 0 = never by itself.
    reevaluate_check_minutes: int = 60
    # The product clock (adapter/clock.py): an instant to start from, `offset:<seconds>` or
    # `fixed:<instant>`; empty = the machine's clock. Read when the process starts.
    clock: str = ""
    # MLLP listener: larger frames are refused (AR) before parsing; idle connections close.
    mllp_max_message_bytes: int = 1024 * 1024
    mllp_idle_timeout: int = 60
    # YAML file of facility addresses by PV1-3.4 id, so ADT facility stays get an address.
    adt_facilities_file: str = ""
    # C-CDA intake: the plan's own tables (identifier roots, codes) laid over the shipped ones.
    ccda_tables_file: str = ""
    # Web app (/app): YAML file of web users (name -> display name, org_kind, org_id, staff_id).
    webapp_users_file: str = ""
    # 1 = the sign-in page lists the sample users (development only; never in production).
    webapp_dev_login: int = 0
    # Signs the web app's session cookies; empty = a random key in <data_dir>/webapp-secret-key.
    webapp_secret_key: str = ""
    # Minutes without a request after which a web session ends and the user signs in again.
    webapp_session_minutes: int = 30
    # Security: "on" requires a SMART bearer token on every FHIR endpoint but the discovery ones;
    # "off" lets every request in as an administrator (logged as a warning at start).
    auth_mode: str = "on"
    # Token issuer (`iss`) and audience (`aud`); empty = the development issuer / `base_url`.
    auth_issuer: str = ""
    auth_audience: str = ""
    # The issuer's OAuth token endpoint, advertised in /.well-known/smart-configuration.
    auth_token_endpoint: str = ""
    # JWKS file path or https URL with the issuer's public keys; empty = the development key.
    auth_jwks: str = ""
    # "on": with ADAPTER_AUTH_JWKS or ADAPTER_AUTH_CLIENTS_FILE empty, the local development key
    # and clients (<data_dir>/dev-auth) stand in for them, which `serve` allows only on a
    # loopback address; "off": only this server's own tokens (/auth/token) and the configured
    # external issuer are trusted.
    auth_dev_issuer: str = "on"
    # JWKS fetched from a URL is kept this long before it is fetched again.
    auth_jwks_cache_seconds: int = 300
    # Clock skew tolerated on exp, nbf and iat.
    auth_leeway_seconds: int = 30
    # Client registry (YAML: client_id -> org_kind, org_id, scopes); empty = development clients.
    auth_clients_file: str = ""
    # Where the development key pair, JWKS and client registry are created on first use;
    # empty = <data_dir>/dev-auth.
    auth_dev_dir: str = ""
    # "on": this server also issues tokens itself (SMART Backend Services at /auth/token) to the
    # clients an administrator registers (`ltsc-adapter clients add`); "off": external issuer only.
    auth_server: str = "on"
    # Lifetime of the access tokens /auth/token issues (SMART recommends at most five minutes).
    auth_token_seconds: int = 300
    # Compartment membership (care teams, consents) is recomputed at most this often per client.
    auth_compartment_cache_seconds: int = 5
    # "on" stores an AuditEvent for every FHIR interaction; "off" only for tests of other parts.
    audit_mode: str = "on"
    # Plan export files larger than this are refused before they are read into memory.
    max_export_bytes: int = 1024 * 1024 * 1024
    # CSV plan exports: longer fields and more rows are refused with a RecordError.
    max_csv_field_chars: int = 10_000
    max_csv_rows: int = 1_000_000

    def validate(self) -> Settings:
        problems = []
        if self.validation_mode not in VALIDATION_MODES:
            problems.append(f"ADAPTER_VALIDATION_MODE must be one of {', '.join(VALIDATION_MODES)}")
        for name in ("port", "workers", "max_request_bytes", "page_size_default", "page_size_max"):
            if getattr(self, name) <= 0:
                problems.append(f"ADAPTER_{name.upper()} must be a positive number")
        for name in ("auth_server", "auth_dev_issuer"):
            if getattr(self, name) not in ("on", "off"):
                problems.append(f"ADAPTER_{name.upper()} must be on or off")
        if self.auth_mode == "on" and self.auth_dev_issuer == "off":
            if self.auth_server == "off" and not self.auth_jwks:
                problems.append(
                    "with ADAPTER_AUTH_DEV_ISSUER=off and ADAPTER_AUTH_SERVER=off no token could "
                    "be verified: set ADAPTER_AUTH_JWKS or ADAPTER_AUTH_SERVER=on"
                )
        if not 1 <= self.auth_token_seconds <= 86_400:
            problems.append("ADAPTER_AUTH_TOKEN_SECONDS must be between 1 and 86400")
        if self.request_offer_days < 0:
            problems.append("ADAPTER_REQUEST_OFFER_DAYS must not be negative")
        if problems:
            raise ConfigurationError("Invalid settings: " + "; ".join(problems))
        return self

    def is_loopback(self) -> bool:
        """Whether the service listens on this machine only (127.0.0.0/8, ::1, localhost)."""
        return is_loopback_host(self.host)

    def state_path(self, *parts: str) -> Path:
        """A path under the data directory (relative to the working directory if relative)."""
        return Path(self.data_dir).joinpath(*parts)


def is_loopback_host(host: str) -> bool:
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def known_variables() -> frozenset[str]:
    settings = {f"ADAPTER_{f.name.upper()}" for f in fields(Settings)}
    files = {f"ADAPTER_{name.upper()}_FILE" for name in SECRET_SETTINGS}
    return frozenset(settings | files) | OTHER_VARIABLES


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One line per ADAPTER_* variable no setting reads, with the closest known name."""
    known = known_variables()
    lines = []
    for key in sorted(k for k in environ if k.startswith("ADAPTER_") and k not in known):
        close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
        lines.append(f"{key} (did you mean {close[0]}?)" if close else key)
    return lines


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every ADAPTER_<FIELD> variable; one error lists all bad and unknown keys."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    problems = []
    unknown = unknown_variables(environ)
    if unknown:
        problems.append("unknown variables: " + ", ".join(unknown))
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
    for name in SECRET_SETTINGS:
        _read_secret_file(environ, name, values, problems)
    _put_password_in_url(values, problems)
    if problems:
        raise ConfigurationError("Invalid settings: " + "; ".join(problems))
    return replace(Settings(), **values).validate()


def _read_secret_file(
    environ: Mapping[str, str], name: str, values: dict[str, object], problems: list[str]
) -> None:
    key = f"ADAPTER_{name.upper()}"
    file_key = f"{key}_FILE"
    if file_key not in environ:
        return
    if key in environ:
        problems.append(f"set {key} or {file_key}, not both")
        return
    try:
        text = Path(environ[file_key]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        problems.append(f"{file_key}: cannot read {environ[file_key]} ({reason})")
        return
    values[name] = text.removesuffix("\n").removesuffix("\r")


def _put_password_in_url(values: dict[str, object], problems: list[str]) -> None:
    """ADAPTER_DATABASE_PASSWORD goes into the PostgreSQL URL, which must not carry one."""
    password = str(values.get("database_password") or "")
    if not password:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(str(values.get("database_url") or Settings.database_url))
    except ArgumentError:
        problems.append("ADAPTER_DATABASE_URL is not a database URL")
        return
    if url.get_backend_name() != "postgresql":
        problems.append("ADAPTER_DATABASE_PASSWORD is for a PostgreSQL ADAPTER_DATABASE_URL")
    elif url.password:
        problems.append(
            "ADAPTER_DATABASE_URL already has a password: "
            "remove it there or leave ADAPTER_DATABASE_PASSWORD unset"
        )
    else:
        values["database_url"] = url.set(password=password).render_as_string(hide_password=False)
