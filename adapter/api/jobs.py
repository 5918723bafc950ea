"""Admin routes for scheduled jobs: see when members were last re-evaluated, or run it now.

GET  /admin/jobs/reevaluate            -> the last run (as of which day, when, what changed)
POST /admin/jobs/reevaluate[?as-of=D]  -> run it now as of today (or D), answer the run
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from adapter import clock
from adapter.api.context import api
from adapter.errors import NotFound
from adapter.services import MemberService

jobs = Blueprint("admin_jobs", __name__, url_prefix="/admin/jobs")


def _service() -> MemberService:
    ctx = api()
    return MemberService(ctx.store, ctx.settings, validator=ctx.validator)


@jobs.get("/reevaluate")
def last_reevaluation() -> Response:
    last = _service().last_reevaluation()
    if last is None:
        raise NotFound("stored members have not been re-evaluated yet")
    return jsonify(last)


@jobs.post("/reevaluate")
def run_reevaluation() -> Response:
    as_of = clock.as_of_option(request.args.get("as-of"), "as-of")
    service = _service()
    report = service.reevaluate(as_of)
    body: dict[str, Any] = {**(service.last_reevaluation() or {}), "summary": report.summary()}
    return jsonify(body)
