"""Clients of the authorization server: registered by an administrator with their public keys
(a JWKS, or a JWKS URL), the organization they act for and the scopes they may be granted."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import Connection, Engine, insert, select, update

from adapter import clock
from adapter.errors import Conflict, InvalidRequest, NotFound
from adapter.security.principal import ORG_KINDS
from adapter.security.scopes import parse_scope
from adapter.security.tokens import JwksSource
from adapter.store.database import WRITE_OPTION
from adapter.store.schema import auth_clients

ACTIVE, DISABLED = "active", "disabled"
ASSERTION_ALGORITHMS = ("RS384", "ES384")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
# Client rows are read on every request with one of our tokens: cached this long.
CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Client:
    client_id: str
    org_kind: str
    org_id: str
    scopes: tuple[str, ...]
    status: str
    jwks: dict[str, Any] | None = None
    jwks_url: str | None = None
    staff_id: str | None = None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "client_id": self.client_id,
            "org_kind": self.org_kind,
            "org_id": self.org_id,
            "scopes": list(self.scopes),
            "status": self.status,
        }
        if self.staff_id:
            shown["staff_id"] = self.staff_id
        if self.jwks_url:
            shown["jwks_url"] = self.jwks_url
        if self.jwks is not None:
            shown["jwks"] = self.jwks
        return shown


def _client(row: Any) -> Client:
    return Client(
        client_id=row.client_id,
        org_kind=row.org_kind,
        org_id=row.org_id,
        scopes=tuple(json.loads(row.scopes)),
        status=row.status,
        jwks=json.loads(row.jwks) if row.jwks else None,
        jwks_url=row.jwks_url,
        staff_id=row.staff_id,
    )


def check_registration(entry: Any) -> Client:
    """A new client from its registration document; InvalidRequest names the bad field."""
    if not isinstance(entry, dict):
        raise InvalidRequest("The registration must be a JSON object")
    client_id = entry.get("client_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise InvalidRequest(
            "client_id: letters, digits and . _ : - (at most 128)", expression="client_id"
        )
    kind = entry.get("org_kind")
    if kind not in ORG_KINDS:
        raise InvalidRequest(
            f"org_kind must be one of {', '.join(ORG_KINDS)}", expression="org_kind"
        )
    org_id = entry.get("org_id") or ""
    if not isinstance(org_id, str) or (not org_id and kind in ("plan", "cbo", "ehr")):
        raise InvalidRequest(f"org_id is required for a {kind} client", expression="org_id")
    scopes = entry.get("scopes")
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list) or not scopes:
        raise InvalidRequest("scopes: a list of SMART system scopes", expression="scopes")
    for scope in scopes:
        parsed = parse_scope(scope) if isinstance(scope, str) else None
        if parsed is None or parsed.context != "system":
            raise InvalidRequest(f"{scope!r} is not a SMART system scope", expression="scopes")
    jwks, jwks_url = entry.get("jwks"), entry.get("jwks_url")
    if (jwks is None) == (jwks_url is None):
        raise InvalidRequest("Give exactly one of jwks and jwks_url", expression="jwks")
    if jwks_url is not None and not (
        isinstance(jwks_url, str) and jwks_url.startswith(("https://", "http://"))
    ):
        raise InvalidRequest("jwks_url must be an http(s) URL", expression="jwks_url")
    if jwks is not None:
        _check_jwks(jwks)
    staff_id = entry.get("staff_id")
    return Client(
        client_id=client_id,
        org_kind=kind,
        org_id=org_id,
        scopes=tuple(dict.fromkeys(scopes)),
        status=ACTIVE,
        jwks=jwks,
        jwks_url=jwks_url,
        staff_id=staff_id if isinstance(staff_id, str) and staff_id else None,
    )


def _check_jwks(jwks: Any) -> None:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not keys:
        raise InvalidRequest("jwks must be a JWK Set with keys", expression="jwks")
    for index, jwk in enumerate(keys):
        where = f"jwks.keys[{index}]"
        if not isinstance(jwk, dict) or "d" in jwk or "p" in jwk:
            raise InvalidRequest("jwks holds public keys only", expression=where)
        try:
            jwt.PyJWK(jwk)
        except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
            raise InvalidRequest(f"unusable key: {exc}", expression=where) from None
        if jwk.get("alg") not in (None, *ASSERTION_ALGORITHMS):
            raise InvalidRequest("keys sign with RS384 or ES384", expression=f"{where}.alg")


class StaticJwks(JwksSource):
    """A client's JWKS given inline at registration."""

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__("inline", ttl_seconds=10**9)
        self.document = document

    def _fetch(self) -> dict[str, Any]:
        return self.document


class ClientStore:
    """Registered clients in the `auth_client` table, with their key sources."""

    def __init__(self, engine: Engine, jwks_cache_seconds: int = 300) -> None:
        self.engine = engine
        self.jwks_cache_seconds = jwks_cache_seconds
        self._cache: dict[str, tuple[float, Client | None]] = {}
        self._sources: dict[tuple[str, str], JwksSource] = {}
        self._lock = threading.Lock()

    def add(self, client: Client) -> Client:
        now = clock.utcnow_naive()
        with self._writing() as conn:
            if self._row(conn, client.client_id) is not None:
                raise Conflict(f"Client {client.client_id!r} is already registered")
            conn.execute(
                insert(auth_clients).values(
                    client_id=client.client_id,
                    org_kind=client.org_kind,
                    org_id=client.org_id,
                    staff_id=client.staff_id,
                    scopes=json.dumps(list(client.scopes)),
                    jwks=json.dumps(client.jwks) if client.jwks is not None else None,
                    jwks_url=client.jwks_url,
                    status=ACTIVE,
                    created_at=now,
                    updated_at=now,
                )
            )
        self._forget(client.client_id)
        return client

    def set_status(self, client_id: str, status: str) -> Client:
        with self._writing() as conn:
            done = conn.execute(
                update(auth_clients)
                .where(auth_clients.c.client_id == client_id)
                .values(status=status, updated_at=clock.utcnow_naive())
            )
            if done.rowcount == 0:
                raise NotFound(f"Client {client_id!r} is not registered")
        self._forget(client_id)
        found = self.get(client_id)
        assert found is not None  # noqa: S101 -- just written
        return found

    def list(self) -> list[Client]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(auth_clients).order_by(auth_clients.c.client_id))
            return [_client(row) for row in rows]

    def get(self, client_id: str | None) -> Client | None:
        """The client (cached briefly), or None when not registered."""
        if not client_id:
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(client_id)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self.engine.connect() as conn:
            row = self._row(conn, client_id)
        found = _client(row) if row is not None else None
        with self._lock:
            self._cache[client_id] = (now, found)
        return found

    def keys(self, client: Client) -> JwksSource:
        """Where the client's public keys come from (one source per client and key location)."""
        location = client.jwks_url or json.dumps(client.jwks, sort_keys=True)
        key = (client.client_id, location)
        with self._lock:
            source = self._sources.get(key)
            if source is None:
                if client.jwks_url:
                    source = JwksSource(client.jwks_url, self.jwks_cache_seconds)
                else:
                    source = StaticJwks(client.jwks or {})
                self._sources[key] = source
            return source

    def _forget(self, client_id: str) -> None:
        with self._lock:
            self._cache.pop(client_id, None)

    def _row(self, conn: Any, client_id: str) -> Any:
        return conn.execute(
            select(auth_clients).where(auth_clients.c.client_id == client_id)
        ).first()

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn
