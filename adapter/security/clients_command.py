"""`ltsc-adapter clients add|list|disable|enable|rotate-key`: the authorization server's client
registry and signing keys, in the configured database."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from adapter.config import settings_from_env
from adapter.errors import ConfigurationError
from adapter.security.client_store import ACTIVE, DISABLED, ClientStore, check_registration
from adapter.security.signing_keys import SigningKeys
from adapter.store import open_store


def run_clients(args: argparse.Namespace) -> int:
    """Reads args.action, args.client_id and the registration options of `add`."""
    settings = settings_from_env()
    store = open_store(settings.database_url)
    try:
        clients = ClientStore(store.engine)
        if args.action == "list":
            registered = clients.list()
            for client in registered:
                sys.stdout.write(json.dumps(client.to_json()) + "\n")
            if not registered and not getattr(args, "quiet", False):
                # On stderr, so that stdout stays one JSON object per line for scripts.
                sys.stderr.write(
                    "No clients registered. Add one with `ltsc-adapter clients add`.\n"
                )
            return 0
        if args.action == "rotate-key":
            key = SigningKeys(store.engine).rotate()
            sys.stdout.write(
                f"New signing key {key.kid} ({key.alg}); the previous one stays published\n"
            )
            return 0
        if not args.client_id:
            raise ConfigurationError(f"clients {args.action} needs a CLIENT_ID")
        if args.action == "add":
            client = clients.add(check_registration(_registration(args)))
            sys.stdout.write(json.dumps(client.to_json()) + "\n")
            return 0
        status = DISABLED if args.action == "disable" else ACTIVE
        client = clients.set_status(args.client_id, status)
        sys.stdout.write(f"Client {client.client_id} is {client.status}\n")
        return 0
    finally:
        store.close()


def _registration(args: argparse.Namespace) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "client_id": args.client_id,
        "org_kind": args.org_kind,
        "org_id": args.org_id or "",
        "staff_id": args.staff_id,
        "scopes": [s for text in args.scope for s in text.split()],
    }
    if args.jwks:
        try:
            entry["jwks"] = json.loads(Path(args.jwks).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"Cannot read the JWKS {args.jwks}: {exc}") from None
    if args.jwks_url:
        entry["jwks_url"] = args.jwks_url
    return entry
