"""Transaction and batch Bundles: ordering, urn:uuid and conditional references, responses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from adapter.errors import (
    AdapterError,
    Gone,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PreconditionFailed,
)
from adapter.outcome import Issue
from adapter.store import search
from adapter.store.dates import format_instant
from adapter.store.model import WriteOutcome
from adapter.store.params import SUPPORTED_TYPES
from adapter.store.writes import (
    VersionWriter,
    check_id,
    check_resource,
    lock_condition,
    read_current,
    read_version,
    row_to_stored,
)

if TYPE_CHECKING:
    from adapter.store.store import Store

# FHIR's processing order for transactions: deletes, creates, updates, then reads.
METHOD_ORDER = {"DELETE": 0, "POST": 1, "PUT": 2, "GET": 3}
STATUS_TEXT = {
    "created": "201 Created",
    "updated": "200 OK",
    "unchanged": "200 OK",
    "exists": "200 OK",
    "deleted": "204 No Content",
}


@dataclass
class Entry:
    """One Bundle entry's request, its target once resolved, and its response once run."""

    index: int
    method: str
    resource_type: str
    resource_id: str | None
    query: str | None
    resource: dict[str, Any] | None
    full_url: str | None
    if_none_exist: str | None = None
    if_match: str | None = None
    history_version: str | None = None
    target_id: str | None = None
    existing: WriteOutcome | None = None
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def expression(self) -> str:
        return f"Bundle.entry[{self.index}]"


def check_bundle(bundle: Any, kind: str) -> None:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InvalidRequest("Body must be a Bundle", expression="Bundle")
    if bundle.get("type") != kind:
        raise InvalidRequest(f"Bundle.type must be {kind!r}", expression="Bundle.type")
    if not isinstance(bundle.get("entry", []), list):
        raise InvalidRequest("Bundle.entry must be a list", expression="Bundle.entry")


def parse_entry(index: int, raw: Any) -> Entry:
    where = f"Bundle.entry[{index}]"
    try:
        return _parse_entry(index, raw, where)
    except AdapterError as error:
        raise _located(error, where, "") from error


def _parse_entry(index: int, raw: Any, where: str) -> Entry:
    request = raw.get("request") if isinstance(raw, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise InvalidRequest("request.method and request.url are required", expression=where)
    method = str(request.get("method", "")).upper()
    if method not in METHOD_ORDER:
        raise MethodNotAllowed(f"method {method!r} is not supported", expression=where)
    resource_type, resource_id, query, version = _split_url(request["url"], where)
    resource = raw.get("resource")
    if method in ("POST", "PUT"):
        check_resource(resource, resource_type)
    if method == "POST" and (resource_id or query):
        raise InvalidRequest(f"POST request.url must be the bare type {resource_type}")
    return Entry(
        index,
        method,
        resource_type,
        resource_id,
        query,
        resource,
        raw.get("fullUrl"),
        if_none_exist=request.get("ifNoneExist"),
        if_match=request.get("ifMatch"),
        history_version=version,
    )


def _split_url(url: str, where: str) -> tuple[str, str | None, str | None, str | None]:
    """(type, id, query, version) of `Type`, `Type/id[/_history/v]` or `Type?query`."""
    path, _, query = url.partition("?")
    parts = [p for p in urlsplit(path).path.split("/") if p]
    # An absolute URL carries the server base first; the resource path is its tail.
    for start in range(len(parts) - 1, -1, -1):
        tail = parts[start:]
        if tail[0] in SUPPORTED_TYPES and _is_resource_path(tail):
            version = tail[3] if len(tail) == 4 else None
            return tail[0], tail[1] if len(tail) > 1 else None, query or None, version
    raise InvalidRequest(
        f"request.url {url!r} is not Type, Type/id or Type?query of a supported type",
        expression=f"{where}.request.url",
    )


def _is_resource_path(tail: list[str]) -> bool:
    return len(tail) in (1, 2) or (len(tail) == 4 and tail[2] == "_history")


def status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def write_response(outcome: WriteOutcome) -> dict[str, Any]:
    response: dict[str, Any] = {"status": STATUS_TEXT[outcome.status]}
    if outcome.version_id:
        response["location"] = outcome.location
        response["etag"] = outcome.etag
        response["lastModified"] = format_instant(outcome.last_updated)
    entry: dict[str, Any] = {"response": response}
    # No fullUrl: it must be absolute, and only the API knows its base URL.
    if outcome.resource is not None:
        entry["resource"] = outcome.resource
    return entry


def error_response(error: AdapterError) -> dict[str, Any]:
    return {"response": {"status": status_line(error.http_status), "outcome": error.outcome()}}


def _located(error: AdapterError, where: str, action: str) -> AdapterError:
    """The same error, told which entry it came from."""
    message = f"{where}{action}: {error.message}"
    issues = [
        Issue(i.severity, i.code, f"{where}: {i.message}", _entry_paths(i, where))
        for i in error.issues
    ]
    located = type(error)(message, issues=issues)
    located.__cause__ = error
    return located


def _entry_paths(issue: Issue, where: str) -> tuple[str, ...]:
    if not issue.expression:
        return (where,)
    return tuple(
        e if e.startswith("Bundle.") else f"{where}.resource.{e}" for e in issue.expression
    )


class Transaction:
    """Runs a transaction Bundle on one write connection; any error undoes everything."""

    def __init__(self, store: Store, writer: VersionWriter) -> None:
        self.store = store
        self.writer = writer
        self.references: dict[str, str] = {}

    def run(self, bundle: dict[str, Any]) -> dict[str, Any]:
        entries = [parse_entry(i, raw) for i, raw in enumerate(bundle.get("entry", []))]
        for entry in entries:
            self._guard(entry, self._resolve_target)
        self._refuse_duplicate_targets(entries)
        for entry in entries:
            if entry.resource is not None:
                entry.resource = self._guard(entry, self._rewrite, entry.resource)
        for entry in sorted(entries, key=lambda e: (METHOD_ORDER[e.method], e.index)):
            entry.response = self._guard(entry, self._execute, entry)
        return {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "type": f"{bundle['type']}-response",
            "entry": [e.response for e in entries],
        }

    def _guard(self, entry: Entry, step: Any, *args: Any) -> Any:
        try:
            return step(*args) if args else step(entry)
        except AdapterError as error:
            label = f" ({entry.method} {entry.resource_type})"
            raise _located(error, entry.expression, label) from error

    def _matches(self, resource_type: str, query: str, *, lock: bool = False) -> list[str]:
        if lock:
            lock_condition(self.writer.conn, resource_type, query)
        return search.match_ids(self.writer.conn, resource_type, query, self.store.paging)

    def _resolve_target(self, entry: Entry) -> None:
        if entry.method == "GET":
            return
        if entry.method == "POST":
            self._resolve_create(entry)
        elif entry.resource_id is not None:
            check_id(entry.resource_id, f"{entry.expression}.request.url")
            entry.target_id = entry.resource_id
        elif entry.query is not None:
            self._resolve_conditional(entry)
        else:
            raise InvalidRequest(f"{entry.method} needs Type/id or Type?query in request.url")
        if (
            entry.method == "PUT"
            and entry.resource
            and entry.resource.get("id")
            not in (
                None,
                entry.target_id,
            )
        ):
            raise InvalidRequest(
                "resource.id differs from the id in request.url",
                expression=f"{entry.expression}.resource.id",
            )
        if entry.full_url and entry.target_id:
            self.references[entry.full_url] = f"{entry.resource_type}/{entry.target_id}"

    def _resolve_create(self, entry: Entry) -> None:
        if entry.if_none_exist:
            matches = self._matches(entry.resource_type, entry.if_none_exist, lock=True)
            if len(matches) > 1:
                raise PreconditionFailed(
                    f"ifNoneExist {entry.if_none_exist!r} matches {len(matches)} resources"
                )
            if matches:
                found = self.writer.read(entry.resource_type, matches[0])
                entry.target_id = found.id
                entry.existing = WriteOutcome(
                    "exists",
                    found.resource,
                    found.type,
                    found.id,
                    found.version_id,
                    found.last_updated,
                )
                return
        entry.target_id = str(uuid.uuid4())

    def _resolve_conditional(self, entry: Entry) -> None:
        matches = self._matches(entry.resource_type, entry.query or "", lock=True)
        if len(matches) > 1:
            raise PreconditionFailed(f"{entry.resource_type}?{entry.query} matches several")
        if matches:
            entry.target_id = matches[0]
        elif entry.method == "PUT":
            body_id = (entry.resource or {}).get("id")
            entry.target_id = body_id or str(uuid.uuid4())

    def _refuse_duplicate_targets(self, entries: list[Entry]) -> None:
        seen: dict[tuple[str, str], int] = {}
        for entry in entries:
            if entry.method == "GET" or entry.target_id is None:
                continue
            key = (entry.resource_type, entry.target_id)
            if key in seen:
                raise InvalidRequest(
                    f"{entry.expression} and Bundle.entry[{seen[key]}] both write "
                    f"{key[0]}/{key[1]}",
                    expression=entry.expression,
                )
            seen[key] = entry.index

    def _rewrite(self, value: Any) -> Any:
        """A copy with urn:uuid and conditional references replaced by `Type/id`."""
        if isinstance(value, list):
            return [self._rewrite(v) for v in value]
        if not isinstance(value, dict):
            return value
        copy = {k: self._rewrite(v) for k, v in value.items()}
        reference = copy.get("reference")
        if isinstance(reference, str):
            copy["reference"] = self._resolve_reference(reference)
        return copy

    def _resolve_reference(self, reference: str) -> str:
        if reference in self.references:
            return self.references[reference]
        if reference.startswith("urn:uuid:"):
            raise InvalidRequest(f"Reference {reference} matches no entry's fullUrl")
        if "?" in reference and reference.split("?", 1)[0] in SUPPORTED_TYPES:
            resource_type, query = reference.split("?", 1)
            matches = self._matches(resource_type, query)
            if len(matches) != 1:
                raise PreconditionFailed(
                    f"Conditional reference {reference} must match one resource, "
                    f"matched {len(matches)}"
                )
            self.references[reference] = f"{resource_type}/{matches[0]}"
            return self.references[reference]
        return reference

    def _execute(self, entry: Entry) -> dict[str, Any]:
        if entry.method == "GET":
            return self._read(entry)
        if entry.existing is not None:
            return write_response(entry.existing)
        target = entry.target_id or ""
        if entry.method == "DELETE":
            if entry.target_id is None:  # conditional delete that matched nothing
                return {"response": {"status": "204 No Content"}}
            outcome = self.writer.save(entry.resource_type, target, None, if_match=entry.if_match)
        else:
            outcome = self.writer.save(
                entry.resource_type,
                target,
                entry.resource or {},
                if_match=entry.if_match,
                fresh_id=entry.method == "POST",
            )
        return write_response(outcome)

    def _read(self, entry: Entry) -> dict[str, Any]:
        conn = self.writer.conn
        if entry.resource_id is None:
            params = search.parse_qsl_params(entry.query or "")
            page = search.run(
                conn, entry.resource_type, params, strict=False, paging=self.store.paging
            )
            bundle = {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": page.total,
                "entry": [{"resource": m.resource} for m in page.matches],
            }
            return {"resource": bundle, "response": {"status": "200 OK"}}
        if entry.history_version is not None:
            version = entry.history_version
            row = (
                read_version(conn, entry.resource_type, entry.resource_id, int(version))
                if version.isdigit()
                else None
            )
        else:
            row = read_current(conn, entry.resource_type, entry.resource_id)
        if row is None:
            raise NotFound(f"{entry.resource_type}/{entry.resource_id} is not known")
        if row.deleted and entry.history_version is None:
            raise Gone(f"{entry.resource_type}/{entry.resource_id} was deleted")
        stored = row_to_stored(row)
        response = {
            "status": "200 OK",
            "etag": f'W/"{stored.version_id}"',
            "lastModified": format_instant(stored.last_updated),
        }
        return {"resource": stored.resource, "response": response}


def run_batch(store: Store, bundle: dict[str, Any]) -> dict[str, Any]:
    """Each entry as its own one-entry transaction; failures become that entry's outcome."""
    responses = []
    for index, raw in enumerate(bundle.get("entry", [])):
        responses.append(_batch_entry(store, index, raw))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "batch-response",
        "entry": responses,
    }


def _batch_entry(store: Store, index: int, raw: Any) -> dict[str, Any]:
    single = {"resourceType": "Bundle", "type": "batch", "entry": [raw]}
    try:
        with store.writing() as writer:
            response = Transaction(store, writer).run(single)["entry"][0]
    except AdapterError as error:
        return error_response(_renumbered(error, index))
    return response


def _renumbered(error: AdapterError, index: int) -> AdapterError:
    # Each batch entry ran as entry 0 of its own Bundle; point the outcome at the real one.
    def fix(text: str) -> str:
        return text.replace("Bundle.entry[0]", f"Bundle.entry[{index}]")

    issues = [
        Issue(i.severity, i.code, fix(i.message), tuple(fix(e) for e in i.expression))
        for i in error.issues
    ]
    return type(error)(fix(error.message), issues=issues)
