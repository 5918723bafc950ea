"""FHIR REST interactions per type: read, vread, create, update, delete and search."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from adapter.api import bundles
from adapter.api.context import api
from adapter.api.formats import fhir_response, read_body, refuse_nul
from adapter.api.headers import if_match, return_preference, strict_handling, version_headers
from adapter.api.security import guarded_store
from adapter.api.served import FORMAT_PARAMETERS
from adapter.api.subsetting import requested, subset
from adapter.api.writes import (
    check_body_type,
    check_conditional_task_update,
    check_id,
    check_type,
    validate_for_write,
    validate_task_update,
    whole_number,
    writing_store,
)
from adapter.errors import Gone, InvalidRequest, NotFound, UnsupportedMediaType
from adapter.outcome import Issue, operation_outcome

rest = Blueprint("fhir_rest", __name__)

MAX_DATABASE_INT = 2**31 - 1  # version numbers and offsets are 32-bit integers in the database

WRITE_STATUS = {"created": 201, "updated": 200, "unchanged": 200, "exists": 200, "deleted": 204}


@rest.get("/<rtype>/<rid>")
def read(rtype: str, rid: str) -> Response:
    stored = guarded_store().read(check_type(rtype), check_id(rid))
    return _resource_response(stored)


@rest.get("/<rtype>/<rid>/_history/<vid>")
def vread(rtype: str, rid: str, vid: str) -> Response:
    check_type(rtype)
    check_id(rid)
    if not vid.isdigit() or int(vid) > MAX_DATABASE_INT:
        raise NotFound(f"{rtype}/{rid} has no version {vid[:20]!r}")
    stored = guarded_store().vread(rtype, rid, vid)
    if stored.deleted:
        raise Gone(f"{rtype}/{rid} version {vid} is a deletion")
    return _resource_response(stored)


def _resource_response(stored: Any) -> Response:
    summary, elements = requested(on_read=True)
    headers = version_headers(stored.type, stored.id, stored.version_id, stored.last_updated)
    if request.headers.get("If-None-Match", "").strip() == headers["ETag"]:
        return Response(status=304, headers=headers)
    return fhir_response(subset(stored.resource, summary, elements), 200, headers)


@rest.post("/<rtype>")
def create(rtype: str) -> Response:
    check_type(rtype)
    resource = read_body()
    check_body_type(resource, rtype)
    issues = validate_for_write(resource)
    condition = _condition(request.headers.get("If-None-Exist"))
    with api().write_gate:
        outcome = writing_store().create(resource, if_none_exist=condition)
    return write_response(outcome, issues)


@rest.put("/<rtype>/<rid>")
def update(rtype: str, rid: str) -> Response:
    check_type(rtype)
    check_id(rid)
    resource = read_body()
    check_body_type(resource, rtype)
    if resource.get("id") != rid:
        raise InvalidRequest(
            f"The body's id must be {rid!r}, as in the URL", expression=f"{rtype}.id"
        )
    return store_update(rtype, rid, resource, if_match())


def store_update(rtype: str, rid: str, resource: dict[str, Any], version: str | None) -> Response:
    """The one path of an update (PUT and PATCH): profiles, the Task state machine, the store
    within the caller's compartment, then the member service's reaction to a Task move."""
    issues = validate_for_write(resource)
    if rtype == "Task":
        issues += validate_task_update(rid, resource)
    writer = writing_store(tasks_through_members=rtype == "Task")
    with api().write_gate:
        outcome = writer.update(rtype, rid, resource, if_match=version)
    return write_response(outcome, issues)


@rest.put("/<rtype>")
def conditional_update(rtype: str) -> Response:
    check_type(rtype)
    query = _condition(_query_without_format())
    if not query:
        raise InvalidRequest("A conditional update needs search parameters in the URL")
    resource = read_body()
    check_body_type(resource, rtype)
    issues = validate_for_write(resource)
    if rtype == "Task":
        issues += check_conditional_task_update(query, resource)
    with api().write_gate:
        outcome = writing_store().conditional_update(rtype, query, resource)
    return write_response(outcome, issues)


@rest.delete("/<rtype>/<rid>")
def delete(rtype: str, rid: str) -> Response:
    check_type(rtype)
    check_id(rid)
    with api().write_gate:
        outcome = guarded_store().delete(rtype, rid, if_match=if_match())
    return write_response(outcome, [])


@rest.delete("/<rtype>")
def conditional_delete(rtype: str) -> Response:
    """Deletes every match inside the caller's compartment (CapabilityStatement: multiple)."""
    check_type(rtype)
    params = _condition_params()
    if not params:
        raise InvalidRequest("A conditional delete needs search parameters in the URL")
    with api().write_gate:
        outcomes = guarded_store().delete_matches(rtype, params)
    deleted = [o for o in outcomes if o.status == "deleted"]
    text = f"Deleted {len(deleted)} {rtype} resource(s)"
    if return_preference() == "OperationOutcome" or not deleted:
        return fhir_response(operation_outcome([Issue("information", "informational", text)]))
    return Response(status=204)


def _condition_params() -> list[tuple[str, str]]:
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in FORMAT_PARAMETERS]
    refuse_nul(*(text for pair in params for text in pair))
    return params


def write_response(outcome: Any, issues: list[Issue]) -> Response:
    """The reply to a write, shaped by `Prefer: return=`; ETag, Last-Modified, Location set."""
    status = WRITE_STATUS[outcome.status]
    headers = version_headers(
        outcome.type,
        outcome.id,
        outcome.version_id,
        outcome.last_updated,
        location=outcome.status == "created",
    )
    preference = return_preference()
    if preference == "OperationOutcome":
        summary = issues or [Issue("information", "informational", f"{outcome.status.title()}")]
        return fhir_response(operation_outcome(summary), 200 if status == 204 else status, headers)
    if preference == "minimal" or outcome.status == "deleted" or outcome.resource is None:
        return fhir_response(None, status, headers)
    return fhir_response(outcome.resource, status, headers)


@rest.get("/<rtype>")
def search(rtype: str) -> Response:
    return _search(check_type(rtype), list(request.args.items(multi=True)))


@rest.post("/<rtype>/_search")
def search_by_post(rtype: str) -> Response:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("POST _search takes application/x-www-form-urlencoded")
    params = [*request.args.items(multi=True), *request.form.items(multi=True)]
    refuse_nul(*(text for pair in params for text in pair))
    return _search(check_type(rtype), params)


def _search(rtype: str, raw: list[tuple[str, str]]) -> Response:
    params = [(k, v) for k, v in raw if k not in FORMAT_PARAMETERS]
    for name, value in params:
        if name == "_offset":
            whole_number(name, value)
    summary, elements = requested(on_read=False, params=params)
    page = guarded_store().search(rtype, params, strict=strict_handling())
    if summary or elements:
        page.matches = [_subset_stored(m, summary, elements) for m in page.matches]
    ignored = {name for name, _ in page.ignored_params}
    used = [(k, v) for k, v in params if k not in ignored]
    return fhir_response(bundles.searchset(rtype, page, used))


def _subset_stored(stored: Any, summary: str | None, elements: list[str] | None) -> Any:
    return replace(stored, resource=subset(stored.resource, summary, elements))


def _condition(value: str | None) -> str | None:
    """A search condition without any `Type?` prefix (clients send either form)."""
    if not value:
        return None
    refuse_nul(value)
    return value.split("?", 1)[1] if "?" in value else value


def _query_without_format() -> str:
    return urlencode(
        [(k, v) for k, v in request.args.items(multi=True) if k not in FORMAT_PARAMETERS]
    )
