"""`ltsc-adapter token`: a signed development token from the local development key."""

from __future__ import annotations

import argparse
import sys

from adapter.config import settings_from_env
from adapter.errors import ConfigurationError
from adapter.security import dev_keys
from adapter.security.clients import ClientRegistry

MAX_MINUTES = 24 * 60


def run_token(args: argparse.Namespace) -> int:
    """Reads `args.client`, `args.scope` (list, may be empty) and `args.minutes`."""
    settings = settings_from_env()
    if settings.auth_dev_issuer == "off":
        raise ConfigurationError(
            "ADAPTER_AUTH_DEV_ISSUER=off: the server trusts no development token; clients get "
            "tokens from its /auth/token (`ltsc-adapter clients add`)"
        )
    folder = dev_keys.ensure_dev_issuer(settings)
    clients = ClientRegistry.from_file(settings.auth_clients_file or folder / "clients.yaml")
    if clients.get(args.client) is None:
        known = ", ".join(sorted(c.client_id for c in clients))
        raise ConfigurationError(f"Unknown client {args.client!r}; registered: {known}")
    minutes = int(getattr(args, "minutes", None) or 60)
    if not 1 <= minutes <= MAX_MINUTES:
        raise ConfigurationError(f"--minutes must be between 1 and {MAX_MINUTES}")
    scopes = list(getattr(args, "scope", None) or dev_keys.DEFAULT_DEV_SCOPES)
    sys.stdout.write(dev_keys.issue_dev_token(settings, args.client, scopes, minutes) + "\n")
    return 0


def token_hint(settings_base_url: str) -> str:
    """What `serve` prints so a developer can call the API at once."""
    return (
        "Auth is on. Get a development token and call the API with:\n"
        "  TOKEN=$(.venv/bin/ltsc-adapter token --client dev-plan --scope 'system/*.cruds')\n"
        f'  curl -H "Authorization: Bearer $TOKEN" {settings_base_url}/Patient\n'
        "Clients: dev-admin, dev-plan, dev-ehr, dev-auditor, dev-cbo-mbil, dev-cbo-mrlc\n"
        f"Web app for CBOs and Care Coordinators: {settings_base_url.rsplit('/fhir', 1)[0]}/app\n"
    )
