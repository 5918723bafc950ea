"""Versioned writes on one connection: compare-and-set on the current row, history, index."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from adapter import clock
from adapter.errors import InvalidRequest, NotFound, PreconditionFailed
from adapter.store import generation
from adapter.store.dates import format_instant, to_aware
from adapter.store.index import index_rows
from adapter.store.model import StoredResource, WriteOutcome, WriteStatus
from adapter.store.params import SUPPORTED_TYPES
from adapter.store.schema import current, search_index, versions

Listener = Callable[[Connection, dict[str, Any]], None]

ID_PATTERN = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_ETAG = re.compile(r'^(W/)?"?(\d+)"?$')
# A compare-and-set only loses when another writer committed in between; each retry sees that
# writer's version, so a handful is plenty even under heavy contention.
MAX_ATTEMPTS = 50
_TICK = timedelta(microseconds=1)
VERSION_META = ("versionId", "lastUpdated")


def check_type(resource_type: str) -> None:
    if resource_type not in SUPPORTED_TYPES:
        raise InvalidRequest(f"Resource type {resource_type!r} is not supported by this server")


def check_id(resource_id: str, expression: str = "id") -> None:
    if not isinstance(resource_id, str) or not ID_PATTERN.match(resource_id):
        raise InvalidRequest(
            f"Resource id {resource_id!r} must be 1-64 letters, digits, '-' or '.'",
            expression=expression,
        )


def check_resource(resource: Any, resource_type: str | None = None) -> str:
    """The resource's type, after checking it is a supported resource (of the expected type)."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidRequest("Body must be a FHIR resource with a resourceType")
    found = resource["resourceType"]
    if resource_type is not None and found != resource_type:
        raise InvalidRequest(
            f"Resource type {found!r} does not match {resource_type!r}", expression="resourceType"
        )
    check_type(found)
    return found


def parse_etag(if_match: str) -> int:
    match = _ETAG.match(if_match.strip())
    if not match:
        raise InvalidRequest(f'If-Match {if_match!r} must look like W/"3"')
    return int(match.group(2))


def lock_condition(conn: Connection, resource_type: str, query: str) -> None:
    """Serialise conditional writes with the same query until this transaction ends.

    Two concurrent `ifNoneExist` creates would otherwise both see no match and both create.
    SQLite writers are already serialised by BEGIN IMMEDIATE.
    """
    if conn.dialect.name == "postgresql":
        key = func.hashtext(f"{resource_type}?{query}")
        conn.execute(select(func.pg_advisory_xact_lock(key)))


def row_to_stored(row: Any) -> StoredResource:
    return StoredResource(
        resource=orjson.loads(row.content),
        type=row.res_type,
        id=row.res_id,
        version_id=str(row.version),
        last_updated=to_aware(row.last_updated),
        deleted=bool(row.deleted),
    )


def read_current(conn: Connection, resource_type: str, resource_id: str) -> Any:
    query = select(current).where(current.c.res_type == resource_type)
    return conn.execute(query.where(current.c.res_id == resource_id)).first()


def read_version(conn: Connection, resource_type: str, resource_id: str, version: int) -> Any:
    query = select(versions).where(
        versions.c.res_type == resource_type,
        versions.c.res_id == resource_id,
        versions.c.version == version,
    )
    return conn.execute(query).first()


def unchanged_resources(conn: Connection, resources: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(type, id) of each resource whose current version holds the same content: the ones
    `VersionWriter.save` would leave unchanged, found with one query instead of one each."""
    wanted = {(r.get("resourceType"), r.get("id")): r for r in resources}
    ids = sorted({rid for _, rid in wanted if isinstance(rid, str)})
    if not ids:
        return set()
    query = select(current.c.res_type, current.c.res_id, current.c.deleted, current.c.content)
    same: set[tuple[str, str]] = set()
    for row in conn.execute(query.where(current.c.res_id.in_(ids))):
        resource = wanted.get((row.res_type, row.res_id))
        if resource is None or row.deleted:
            continue
        if _without_version_meta(orjson.loads(row.content)) == _without_version_meta(resource):
            same.add((row.res_type, row.res_id))
    return same


def _without_version_meta(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource minus meta.versionId/lastUpdated: what "same content" compares."""
    meta = {k: v for k, v in resource.get("meta", {}).items() if k not in VERSION_META}
    stripped = {k: v for k, v in resource.items() if k != "meta"}
    if meta:
        stripped["meta"] = meta
    return stripped


def _stamp(body: dict[str, Any], version: int, moment: datetime) -> dict[str, Any]:
    stripped = _without_version_meta(body)
    meta = {"versionId": str(version), "lastUpdated": format_instant(moment)}
    return {**stripped, "meta": {**meta, **stripped.get("meta", {})}}


@dataclass(frozen=True)
class NewVersion:
    """A version about to be written: its number, time and stamped body."""

    type: str
    id: str
    number: int
    moment: datetime
    body: dict[str, Any]
    deleted: bool

    def columns(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "last_updated": self.moment,
            "deleted": self.deleted,
            "content": orjson.dumps(self.body).decode(),
        }

    def outcome(self, status: WriteStatus) -> WriteOutcome:
        body = None if self.deleted else self.body
        return WriteOutcome(
            status, body, self.type, self.id, str(self.number), to_aware(self.moment)
        )


class VersionWriter:
    """Writes versions through one connection; listeners run inside the same transaction."""

    def __init__(self, conn: Connection, listeners: list[Listener]) -> None:
        self.conn = conn
        self.listeners = listeners
        # Readers compare the counter for equality: one step per transaction tells them as
        # much as one per write, and a transaction of many Patients saves a round trip each.
        self._generation_bumped = False

    def save(
        self,
        resource_type: str,
        resource_id: str,
        resource: dict[str, Any] | None,
        *,
        if_match: str | None = None,
        fresh_id: bool = False,
    ) -> WriteOutcome:
        """Store a new version (resource None: a delete); retried when another writer won.

        `fresh_id`: the id was just generated, so the first attempt skips reading it back.
        """
        expected = parse_etag(if_match) if if_match is not None else None
        if fresh_id and resource is not None and expected is None:
            outcome = self._try_put(resource_type, resource_id, resource, None)
            if outcome is not None:
                return outcome
        for _attempt in range(MAX_ATTEMPTS):
            outcome = self._try_save(resource_type, resource_id, resource, expected)
            if outcome is not None:
                return outcome
        raise PreconditionFailed(
            f"{resource_type}/{resource_id} is being changed by others; retry the request"
        )

    def _try_save(
        self, rtype: str, rid: str, resource: dict[str, Any] | None, expected: int | None
    ) -> WriteOutcome | None:
        row = read_current(self.conn, rtype, rid)
        if expected is not None and (row is None or row.version != expected):
            have = "no version" if row is None else f'version W/"{row.version}"'
            raise PreconditionFailed(
                f'If-Match W/"{expected}" does not match {rtype}/{rid} ({have})'
            )
        if resource is None:
            return self._try_delete(rtype, rid, row)
        if row is not None and not row.deleted:
            stored = _without_version_meta(orjson.loads(row.content))
            if stored == _without_version_meta({**resource, "id": rid}):
                return _outcome("unchanged", row_to_stored(row))
        return self._try_put(rtype, rid, resource, row)

    def _try_put(
        self, rtype: str, rid: str, resource: dict[str, Any], row: Any
    ) -> WriteOutcome | None:
        created = row is None or row.deleted
        new = _new_version(rtype, rid, {**resource, "id": rid}, row, deleted=False)
        if not self._commit(new, row, "create" if created else "update"):
            return None
        return new.outcome("created" if created else "updated")

    def _try_delete(self, rtype: str, rid: str, row: Any) -> WriteOutcome | None:
        if row is None:
            return WriteOutcome("deleted", None, rtype, rid, "", clock.now())
        if row.deleted:
            return _outcome("deleted", row_to_stored(row), keep_resource=False)
        new = _new_version(rtype, rid, {"resourceType": rtype, "id": rid}, row, deleted=True)
        return new.outcome("deleted") if self._commit(new, row, "delete") else None

    def _commit(self, new: NewVersion, row: Any, action: str) -> bool:
        """Claim the current row, then record history, index and listeners; False if beaten."""
        if not self._claim(new, row):
            return False
        self.conn.execute(
            insert(versions).values(**new.columns(), res_type=new.type, res_id=new.id)
        )
        self._reindex(new)
        if new.type in generation.MEMBERSHIP_TYPES and not self._generation_bumped:
            generation.bump(self.conn)
            self._generation_bumped = True
        self._notify(new, action)
        return True

    def _claim(self, new: NewVersion, row: Any) -> bool:
        """Compare-and-set the current row; False when another writer got there first."""
        if row is None:
            statement = _insert_ignoring_conflict(self.conn).values(
                res_type=new.type, res_id=new.id, **new.columns()
            )
            # rowcount is not reliable for ON CONFLICT inserts on every driver; RETURNING is.
            return self.conn.execute(statement.returning(current.c.version)).first() is not None
        statement = (
            update(current)
            .where(current.c.res_type == new.type, current.c.res_id == new.id)
            .where(current.c.version == row.version)
            .values(**new.columns())
        )
        return self.conn.execute(statement).rowcount == 1

    def _reindex(self, new: NewVersion) -> None:
        self.conn.execute(
            delete(search_index).where(
                search_index.c.res_type == new.type, search_index.c.res_id == new.id
            )
        )
        rows = [] if new.deleted else index_rows(new.type, new.id, new.body)
        if rows:
            self.conn.execute(insert(search_index), rows)

    def _notify(self, new: NewVersion, action: str) -> None:
        change = {
            "type": new.type,
            "id": new.id,
            "version": str(new.number),
            "action": action,
            "resource": None if new.deleted else new.body,
        }
        for listener in self.listeners:
            listener(self.conn, change)

    def read(self, resource_type: str, resource_id: str) -> StoredResource:
        row = read_current(self.conn, resource_type, resource_id)
        if row is None:
            raise NotFound(f"{resource_type}/{resource_id} is not known")
        return row_to_stored(row)


def _new_version(
    rtype: str, rid: str, body: dict[str, Any], row: Any, *, deleted: bool
) -> NewVersion:
    moment = clock.utcnow_naive()
    number = 1
    if row is not None:
        # Another process's clock may run behind; history order must still follow versions.
        number, moment = row.version + 1, max(moment, row.last_updated + _TICK)
    return NewVersion(rtype, rid, number, moment, _stamp(body, number, moment), deleted)


def _outcome(status: Any, stored: StoredResource, *, keep_resource: bool = True) -> WriteOutcome:
    resource = stored.resource if keep_resource else None
    return WriteOutcome(
        status, resource, stored.type, stored.id, stored.version_id, stored.last_updated
    )


def _insert_ignoring_conflict(conn: Connection) -> Any:
    # A plain INSERT that loses a race would abort a PostgreSQL transaction; this one
    # reports rowcount 0 instead, and the caller retries as an update.
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(current).on_conflict_do_nothing(index_elements=["res_type", "res_id"])
