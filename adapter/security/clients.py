"""The client registry: which organization each OAuth client acts for, and its scope ceiling."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from adapter.errors import ConfigurationError
from adapter.security.principal import ORG_KINDS


@dataclass(frozen=True)
class RegisteredClient:
    """A client's organization; `scopes` caps what its tokens may grant (None = no cap)."""

    client_id: str
    org_kind: str
    org_id: str
    scopes: frozenset[str] | None = None
    staff_id: str | None = None


class ClientRegistry:
    """Clients by id, read from YAML: `clients: {client_id: {org_kind, org_id, scopes}}`."""

    def __init__(self, clients: dict[str, RegisteredClient]) -> None:
        self._clients = clients

    @classmethod
    def from_file(cls, path: str | Path) -> ClientRegistry:
        try:
            document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigurationError(f"Cannot read the client registry {path}: {exc}") from None
        return cls.from_mapping(document.get("clients") or {}, source=str(path))

    @classmethod
    def from_mapping(cls, entries: dict[str, Any], source: str = "clients") -> ClientRegistry:
        clients = {}
        for client_id, entry in entries.items():
            clients[str(client_id)] = _client(str(client_id), entry or {}, source)
        return cls(clients)

    def get(self, client_id: str | None) -> RegisteredClient | None:
        return self._clients.get(client_id) if client_id else None

    def __iter__(self):
        return iter(self._clients.values())


def _client(client_id: str, entry: dict[str, Any], source: str) -> RegisteredClient:
    kind = entry.get("org_kind")
    if kind not in ORG_KINDS:
        raise ConfigurationError(
            f"{source}: client {client_id!r} needs org_kind, one of {', '.join(ORG_KINDS)}"
        )
    org_id = str(entry.get("org_id") or "")
    if not org_id and kind in ("plan", "cbo", "ehr"):
        raise ConfigurationError(f"{source}: client {client_id!r} needs org_id")
    scopes = entry.get("scopes")
    return RegisteredClient(
        client_id=client_id,
        org_kind=kind,
        org_id=org_id,
        scopes=frozenset(scopes) if isinstance(scopes, list) else None,
        staff_id=entry.get("staff_id"),
    )
