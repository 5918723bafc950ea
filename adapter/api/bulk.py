"""Bulk Data Access 2.0 export: kick-off at system, Patient and Group level, status polling,
cancellation and the NDJSON files, all for the requesting client only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson
from flask import Blueprint, Response, g, request, send_file
from werkzeug.http import http_date

from adapter.api.context import api, base_url
from adapter.api.formats import fhir_response, refuse_nul
from adapter.api.headers import preferences
from adapter.api.security import security
from adapter.api.served import RESOURCE_TYPES
from adapter.bulk import cancel_job, create_job, read_job
from adapter.bulk.jobs import ACCEPTED, CANCELLED, COMPLETED, FAILED, RUNNING
from adapter.errors import InvalidRequest, NotFound
from adapter.outcome import Issue, operation_outcome
from adapter.security.compartments import PATIENT_PARAMS
from adapter.security.principal import Forbidden
from adapter.store.dates import parse_range
from adapter.store.search import parse_request

bulk = Blueprint("fhir_bulk", __name__)

OUTPUT_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
KNOWN_PARAMETERS = ("_outputFormat", "_since", "_type", "_typeFilter")
PATIENT_TYPES = ("Patient", *PATIENT_PARAMS)
# Seconds a client is asked to wait between status requests.
RETRY_AFTER = "2"
NDJSON = "application/fhir+ndjson"


@bulk.get("/$export")
def export_system() -> Response:
    return _kick_off("system", RESOURCE_TYPES, None)


@bulk.get("/Patient/$export")
def export_patients() -> Response:
    return _kick_off("patient", PATIENT_TYPES, None)


@bulk.get("/Group/<group_id>/$export")
def export_group(group_id: str) -> Response:
    return _kick_off("group", PATIENT_TYPES, _group(group_id))


@bulk.get("/$export-status/<job_id>")
def export_status(job_id: str) -> Response:
    job = _own_job(job_id)
    if job.status in (ACCEPTED, RUNNING):
        headers = {"X-Progress": job.progress or job.status, "Retry-After": RETRY_AFTER}
        return Response(status=202, headers=headers)
    if job.status == FAILED:
        issue = Issue("error", "exception", job.error or "The export failed")
        return fhir_response(operation_outcome([issue]), 500)
    manifest = {
        "transactionTime": _instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": job.output,
        "error": [],
    }
    response = Response(orjson.dumps(manifest), 200, mimetype="application/json")
    if job.expires_at is not None:
        response.headers["Expires"] = http_date(job.expires_at)
    return response


@bulk.delete("/$export-status/<job_id>")
def export_cancel(job_id: str) -> Response:
    job = _own_job(job_id)
    if job.status not in (ACCEPTED, RUNNING, COMPLETED) or not cancel_job(_engine(), job_id):
        raise NotFound(f"Export {job_id} is not running")
    issue = Issue("information", "informational", f"Export {job_id} was cancelled")
    return fhir_response(operation_outcome([issue]), 202)


@bulk.get("/$export-file/<job_id>/<name>")
def export_file(job_id: str, name: str) -> Response:
    job = _own_job(job_id)
    if job.status != COMPLETED:
        raise NotFound(f"Export {job_id} has no files")
    wanted = f"{job.base_url}/$export-file/{job_id}/{name}"
    if not any(item["url"] == wanted for item in job.output):
        raise NotFound(f"Export {job_id} has no file {name[:80]!r}")
    path = Path(api().settings.bulk_export_dir) / job_id / name
    if not path.is_file():
        raise NotFound(f"The files of export {job_id} are gone")
    return send_file(path.resolve(), mimetype=NDJSON, conditional=False, etag=False)


# -- kick-off -------------------------------------------------------------------------------


def _kick_off(level: str, default_types: tuple[str, ...], group: dict[str, str] | None) -> Response:
    if "respond-async" not in preferences():
        raise InvalidRequest("A bulk export needs the header Prefer: respond-async")
    lenient = preferences().get("handling") == "lenient"
    unknown = sorted({k for k in request.args if k not in KNOWN_PARAMETERS})
    if unknown and not lenient:
        raise InvalidRequest(
            f"Export parameters not supported: {', '.join(unknown)}", expression=unknown[0]
        )
    refuse_nul(*(text for pair in request.args.items(multi=True) for text in pair))
    output_format = request.args.get("_outputFormat")
    if output_format and output_format.replace(" ", "+") not in OUTPUT_FORMATS:
        raise InvalidRequest(
            "_outputFormat must be application/fhir+ndjson", expression="_outputFormat"
        )
    types = _types(default_types)
    parameters = {
        "level": level,
        "group": group,
        "types": types,
        "since": _since(),
        "type_filters": _type_filters(types),
    }
    job_id = create_job(_engine(), g.principal, request.url, base_url(), parameters)
    location = f"{base_url()}/$export-status/{job_id}"
    issue = Issue("information", "informational", f"Export accepted; poll {location}")
    return fhir_response(operation_outcome([issue]), 202, {"Content-Location": location})


def _types(default_types: tuple[str, ...]) -> list[str]:
    raw = [t.strip() for value in request.args.getlist("_type") for t in value.split(",")]
    asked = [t for t in dict.fromkeys(raw) if t]
    policy = security().policy
    if not asked:
        return [t for t in default_types if policy.allows(g.principal, "search", t)]
    for resource_type in asked:
        if resource_type not in default_types:
            raise InvalidRequest(
                f"_type {resource_type[:80]!r} is not exported at this level", expression="_type"
            )
        if not policy.allows(g.principal, "search", resource_type):
            raise Forbidden(f"The client's scopes do not allow reading {resource_type}")
    return asked


def _since() -> str | None:
    since = request.args.get("_since")
    if since is None:
        return None
    since = since.replace(" ", "+")  # a '+' offset arrives as a space when not encoded
    if "T" not in since or parse_range(since) is None:
        raise InvalidRequest(
            "_since must be an instant, e.g. 2026-11-01T00:00:00Z", expression="_since"
        )
    return since


def _type_filters(types: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for value in request.args.getlist("_typeFilter"):
        for item in filter(None, (v.strip() for v in value.split(","))):
            resource_type, _, query = item.partition("?")
            if resource_type not in types or not query:
                raise InvalidRequest(
                    f"_typeFilter {item[:80]!r} must be Type?query for an exported type",
                    expression="_typeFilter",
                )
            # Checked now, strictly: an unknown parameter would otherwise export everything.
            parse_request(resource_type, parse_qsl(query, keep_blank_values=True), strict=True)
            filters.setdefault(resource_type, []).append(query)
    return filters


def _group(group_id: str) -> dict[str, str]:
    """Groups are an organization's members: `plan-<plan id>` or `cbo-<cbo id>`."""
    kind, _, org_id = group_id.partition("-")
    principal = g.principal
    if kind not in ("plan", "cbo") or not org_id:
        raise NotFound(f"Group/{group_id[:80]} is not known")
    if not principal.is_admin:
        own_kind = "plan" if principal.org_kind in ("plan", "ehr") else principal.org_kind
        if own_kind != kind or principal.org_id.lower() != org_id.lower():
            raise NotFound(f"Group/{group_id[:80]} is not known")
    return {"kind": kind, "org_id": org_id}


# -- helpers --------------------------------------------------------------------------------


def _own_job(job_id: str) -> Any:
    """The job, if this client started it; any other looks like a missing one."""
    job = read_job(_engine(), job_id) if len(job_id) <= 36 else None
    if job is None or job.client_id != g.principal.client_id or job.status == CANCELLED:
        raise NotFound(f"Export {job_id[:40]} is not known")
    if job.status not in (ACCEPTED, RUNNING, COMPLETED, FAILED):
        raise NotFound(f"Export {job_id[:40]} has expired")
    return job


def _engine() -> Any:
    return api().store.engine


def _instant(moment: Any) -> str:
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else ""
