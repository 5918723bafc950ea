"""The Store: CRUD with versions, history, search and Bundles over one SQLAlchemy engine."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from adapter.errors import Conflict, Gone, NotFound, PreconditionFailed
from adapter.store import bundles, generation, search
from adapter.store.database import (
    WRITE_OPTION,
    create_store_engine,
    is_contention,
    upgrade_schema,
)
from adapter.store.dates import to_naive_utc
from adapter.store.model import HistoryPage, SearchPage, StoredResource, WriteOutcome
from adapter.store.schema import versions
from adapter.store.writes import (
    Listener,
    VersionWriter,
    check_id,
    check_resource,
    check_type,
    lock_condition,
    read_current,
    read_version,
    row_to_stored,
)

T = TypeVar("T")
# Extra search parameters for a conditional write, computed under the condition's lock.
Scope = Callable[[], list[tuple[str, str]]]


def open_store(
    database_url: str,
    *,
    page_size_default: int = 50,
    page_size_max: int = 1000,
    pool_size: int | None = None,
) -> Store:
    """A store on the database, its schema migrated to the latest version."""
    engine = create_store_engine(database_url, pool_size=pool_size)
    upgrade_schema(engine)
    return Store(engine, paging=search.Paging(page_size_default, page_size_max))


class Store:
    """Versioned FHIR resources; every public method is one database transaction."""

    def __init__(self, engine: Engine, *, paging: search.Paging | None = None) -> None:
        self.engine = engine
        self.paging = paging or search.Paging()
        self.listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(connection, change)` inside the transaction of every write."""
        self.listeners.append(listener)

    def close(self) -> None:
        self.engine.dispose()

    def refresh_statistics(self) -> None:
        """Let the database planner see the data after a bulk load (ANALYZE).

        Without statistics PostgreSQL plans index searches as nested loops over the whole
        search index; one ANALYZE after loading makes searches an order of magnitude faster.
        """
        with self.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()

    def after_fork(self) -> None:
        """Drop pooled connections inherited from a parent process (gunicorn --preload)."""
        self.engine.dispose(close=False)

    @contextmanager
    def writing(self, extra_listeners: Sequence[Listener] = ()) -> Iterator[VersionWriter]:
        """One write transaction: committed when the block ends, rolled back on any error.

        `extra_listeners` hear only this transaction's writes.
        """
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield VersionWriter(conn, [*self.listeners, *extra_listeners])
        except DBAPIError as error:
            if is_contention(error):
                raise Conflict(
                    "The database refused the write because of a concurrent change; "
                    "nothing was stored, retry the request"
                ) from error
            raise

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads.

        PostgreSQL: in autocommit. At READ COMMITTED every statement sees its own snapshot inside
        a transaction too, so BEGIN and COMMIT would only add two round trips to each read.
        """
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
                return
            with conn.begin():
                yield conn

    def membership_generation(self) -> int:
        """Moves with every committed write that can change compartments (store/generation.py)."""
        with self.reading() as conn:
            return generation.read(conn)

    def read(self, resource_type: str, resource_id: str) -> StoredResource:
        check_type(resource_type)
        with self.reading() as conn:
            row = read_current(conn, resource_type, resource_id)
        if row is None:
            raise NotFound(f"{resource_type}/{resource_id} is not known")
        if row.deleted:
            raise Gone(f"{resource_type}/{resource_id} was deleted (version {row.version})")
        return row_to_stored(row)

    def vread(self, resource_type: str, resource_id: str, version_id: str) -> StoredResource:
        check_type(resource_type)
        if not version_id.isdigit():
            raise NotFound(f"{resource_type}/{resource_id} has no version {version_id!r}")
        with self.reading() as conn:
            row = read_version(conn, resource_type, resource_id, int(version_id))
        if row is None:
            raise NotFound(f"{resource_type}/{resource_id} has no version {version_id}")
        return row_to_stored(row)

    def create(
        self,
        resource: dict[str, Any],
        *,
        if_none_exist: str | None = None,
        scope: Scope | None = None,
    ) -> WriteOutcome:
        """Store under a new server-assigned id; with if_none_exist, only when nothing matches.

        `scope()`: extra search parameters the match must also satisfy (a caller's compartment),
        asked for once the condition's lock is held, so it reflects every write before it.
        """
        resource_type = check_resource(resource)
        with self.writing() as writer:
            return create_in(writer, self.paging, resource_type, resource, if_none_exist, scope)

    def update(
        self,
        resource_type: str,
        resource_id: str,
        resource: dict[str, Any],
        *,
        if_match: str | None = None,
    ) -> WriteOutcome:
        """Create or update `Type/id`; unchanged content writes no new version."""
        check_resource(resource, resource_type)
        check_id(resource_id)
        with self.writing() as writer:
            return writer.save(resource_type, resource_id, resource, if_match=if_match)

    def conditional_update(
        self,
        resource_type: str,
        query: str,
        resource: dict[str, Any],
        *,
        scope: Scope | None = None,
    ) -> WriteOutcome:
        """Update the one match of `query`, create when none, 412 when several (`scope`: as
        for `create`)."""
        check_resource(resource, resource_type)
        with self.writing() as writer:
            return conditional_update_in(writer, self.paging, resource_type, query, resource, scope)

    def delete(
        self, resource_type: str, resource_id: str, *, if_match: str | None = None
    ) -> WriteOutcome:
        check_type(resource_type)
        with self.writing() as writer:
            return writer.save(resource_type, resource_id, None, if_match=if_match)

    def history(
        self,
        resource_type: str | None = None,
        resource_id: str | None = None,
        *,
        since: datetime | None = None,
        count: int = 50,
        offset: int = 0,
    ) -> HistoryPage:
        """Versions newest first, deletes included; of one resource, one type or everything."""
        if resource_type is not None:
            check_type(resource_type)
        conditions = []
        if resource_type is not None:
            conditions.append(versions.c.res_type == resource_type)
        if resource_id is not None:
            conditions.append(versions.c.res_id == resource_id)
        if since is not None:
            conditions.append(versions.c.last_updated >= to_naive_utc(since))
        count = self.paging.clamp(count)
        with self.reading() as conn:
            total = conn.execute(select(func.count()).select_from(versions).where(*conditions))
            total_count = total.scalar_one()
            query = (
                select(versions)
                .where(*conditions)
                .order_by(versions.c.last_updated.desc(), versions.c.seq.desc())
                .limit(count)
                .offset(max(offset, 0))
            )
            entries = [row_to_stored(row) for row in conn.execute(query)]
        more = offset + count < total_count
        return HistoryPage(total_count, entries, offset + count if more else None)

    def search(
        self,
        resource_type: str,
        params: list[tuple[str, str]],
        *,
        strict: bool = False,
        scope: search.Scope = None,
    ) -> SearchPage:
        """`scope(type)` gives criteria every chained hop and included resource must meet."""
        check_type(resource_type)
        with self.reading() as conn:
            return search.run(
                conn, resource_type, params, strict=strict, paging=self.paging, scope=scope
            )

    def stream(
        self, resource_type: str, params: list[tuple[str, str]], *, scope: search.Scope = None
    ) -> Iterator[StoredResource]:
        """Every match in id order, read a batch at a time on one connection (exports)."""
        check_type(resource_type)
        with self.reading() as conn:
            yield from search.iterate(conn, resource_type, params, scope)

    def delete_matches(self, resource_type: str, ids: list[str]) -> list[WriteOutcome]:
        """Delete several resources in one transaction (conditional delete of many)."""
        check_type(resource_type)
        with self.writing() as writer:
            return [writer.save(resource_type, rid, None) for rid in ids]

    def transaction(
        self,
        bundle: dict[str, Any],
        *,
        before_commit: Callable[[Connection], None] | None = None,
        on_change: Listener | None = None,
        first: Callable[[VersionWriter], None] | None = None,
    ) -> dict[str, Any]:
        """All entries in one database transaction; any failure undoes every entry.

        `first(writer)` runs before the entries and `before_commit(connection)` after them, in
        the same transaction: what they write commits with the entries, and an exception they
        raise undoes everything. `on_change` hears each version this transaction writes (not
        entries that came back unchanged).
        """
        bundles.check_bundle(bundle, "transaction")
        with self.writing([on_change] if on_change else []) as writer:
            if first is not None:
                first(writer)
            response = bundles.Transaction(self, writer).run(bundle)
            if before_commit is not None:
                before_commit(writer.conn)
            return response

    def run_in_transaction(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one write transaction, for records kept beside resources."""
        with self.writing() as writer:
            return work(writer.conn)

    def batch(self, bundle: dict[str, Any]) -> dict[str, Any]:
        """Each entry in its own database transaction, with its own status."""
        bundles.check_bundle(bundle, "batch")
        return bundles.run_batch(self, bundle)


def _scoped(query: str, scope: Scope | None) -> str:
    extra = scope() if scope is not None else []
    return f"{query}&{urlencode(extra)}" if extra else query


def create_in(
    writer: VersionWriter,
    paging: search.Paging,
    resource_type: str,
    resource: dict[str, Any],
    if_none_exist: str | None,
    scope: Scope | None = None,
) -> WriteOutcome:
    if if_none_exist:
        # The lock is on the condition as the client wrote it: concurrent callers whose
        # compartments differ (one of them just enrolled a member) still wait for each other.
        lock_condition(writer.conn, resource_type, if_none_exist)
        query = _scoped(if_none_exist, scope)
        matches = search.match_ids(writer.conn, resource_type, query, paging)
        if len(matches) > 1:
            raise PreconditionFailed(
                f"If-None-Exist {if_none_exist!r} matches {len(matches)} {resource_type} resources"
            )
        if matches:
            found = writer.read(resource_type, matches[0])
            return WriteOutcome(
                "exists", found.resource, found.type, found.id, found.version_id, found.last_updated
            )
    return writer.save(resource_type, str(uuid.uuid4()), resource, fresh_id=True)


def conditional_update_in(
    writer: VersionWriter,
    paging: search.Paging,
    resource_type: str,
    query: str,
    resource: dict[str, Any],
    scope: Scope | None = None,
) -> WriteOutcome:
    lock_condition(writer.conn, resource_type, query)
    matches = search.match_ids(writer.conn, resource_type, _scoped(query, scope), paging)
    if len(matches) > 1:
        raise PreconditionFailed(f"{resource_type}?{query} matches {len(matches)} resources")
    body_id = resource.get("id")
    if matches and body_id and body_id != matches[0]:
        raise PreconditionFailed(
            f"{resource_type}?{query} matches {matches[0]}, not the body's id {body_id}",
            expression="id",
        )
    if matches:
        return writer.save(resource_type, matches[0], resource)
    if body_id:
        check_id(body_id)
    return writer.save(resource_type, body_id or str(uuid.uuid4()), resource)
