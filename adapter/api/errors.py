"""One renderer for every failure: adapter, HTTP and unexpected errors become OperationOutcome."""

from __future__ import annotations

import logging

from flask import Flask, Response
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from adapter.api.formats import fhir_response
from adapter.errors import AdapterError
from adapter.outcome import Issue, operation_outcome
from adapter.store.database import is_unique_violation

log = logging.getLogger(__name__)

HTTP_ISSUE_CODES = {
    400: "invalid",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AdapterError, render_adapter_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(IntegrityError, render_write_collision)
    app.register_error_handler(Exception, render_unexpected_error)


def render_adapter_error(exc: AdapterError) -> Response:
    if exc.http_status >= 500:
        log.error("request failed: %s", exc.message)
    return fhir_response(exc.outcome(), exc.http_status)


def render_http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = HTTP_ISSUE_CODES.get(status, "exception")
    issue = Issue("error", code, f"{exc.name}: {exc.description}")
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return fhir_response(operation_outcome([issue]), status, headers)


def render_write_collision(exc: IntegrityError) -> Response:
    if not is_unique_violation(exc):
        return render_unexpected_error(exc)  # a broken constraint is a bug, not a race
    # Two requests wrote the same resource version at once; the loser may re-read and retry.
    log.warning("concurrent write collision: %s", exc.orig)
    issue = Issue("error", "conflict", "Another request changed this resource; read it and retry")
    return fhir_response(operation_outcome([issue]), 409)


def render_unexpected_error(exc: Exception) -> Response:
    # Internals stay in the log; the client only learns that the server failed.
    log.exception("unexpected error")
    issue = Issue("fatal", "exception", "The server could not complete the request")
    return fhir_response(operation_outcome([issue]), 500)
