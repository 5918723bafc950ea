"""Probes for orchestrators, outside the FHIR base path and without a token:

GET /healthz   200 while the process answers (liveness; touches no database)
GET /readyz    200 when the database answers and its schema is at this code's revision;
               503 with an OperationOutcome saying which is not (readiness)
"""

from __future__ import annotations

import logging

import orjson
from flask import Blueprint, Response
from sqlalchemy.exc import SQLAlchemyError

from adapter.api.context import api
from adapter.outcome import Issue, operation_outcome
from adapter.store.migrate import schema_status

log = logging.getLogger(__name__)

health = Blueprint("health", __name__)
ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


def _outcome(status: int, severity: str, code: str, message: str) -> Response:
    body = operation_outcome([Issue(severity, code, message)])
    response = Response(orjson.dumps(body), status, mimetype="application/fhir+json")
    response.headers["Cache-Control"] = "no-store"
    return response


@health.get("/healthz")
def healthz() -> Response:
    return _outcome(200, "information", "informational", "alive")


@health.get("/readyz")
def readyz() -> Response:
    engine = api().store.engine
    try:
        status = schema_status(engine)
    except SQLAlchemyError as exc:
        log.warning("readiness: the database does not answer (%s)", type(exc).__name__)
        return _outcome(503, "error", "transient", "not ready: the database does not answer")
    if not status.at_head:
        return _outcome(503, "error", "transient", f"not ready: {status.describe()}")
    revision = ", ".join(status.current)
    message = f"ready: the database answers and its schema is at revision {revision}"
    return _outcome(200, "information", "informational", message)
