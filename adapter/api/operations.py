"""FHIR operations: `$validate` at type and instance level, using the profile validator."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Response, request

from adapter.api.context import api
from adapter.api.formats import fhir_response, has_body, read_body
from adapter.api.security import guarded_store
from adapter.api.writes import check_body_type, check_id, check_type
from adapter.errors import InvalidRequest
from adapter.outcome import Issue, operation_outcome

operations = Blueprint("fhir_operations", __name__)

VALIDATE_MODES = ("create", "update", "delete")


@operations.post("/<rtype>/$validate")
def validate_type(rtype: str) -> Response:
    check_type(rtype)
    resource, profile, _mode = validate_input(read_body())
    if resource is None:
        raise InvalidRequest("$validate needs a resource", expression="Parameters.parameter")
    check_body_type(resource, rtype)
    return _validation_response(resource, profile)


@operations.route("/<rtype>/<rid>/$validate", methods=["GET", "POST"])
def validate_instance(rtype: str, rid: str) -> Response:
    check_type(rtype)
    check_id(rid)
    resource, profile, mode = None, request.args.get("profile"), request.args.get("mode")
    if request.method == "POST" and has_body():
        resource, profile, mode = validate_input(read_body())
    if mode == "delete":
        guarded_store().read(rtype, rid)
        return fhir_response(operation_outcome([]))
    if resource is None:
        resource = guarded_store().read(rtype, rid).resource
    check_body_type(resource, rtype)
    if resource.get("id") not in (None, rid):
        raise InvalidRequest(f"The resource's id must be {rid!r}", expression=f"{rtype}.id")
    return _validation_response(resource, profile)


def validate_input(body: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """(resource, profile, mode) from a bare resource or a `Parameters` body."""
    if body["resourceType"] != "Parameters":
        return body, request.args.get("profile"), request.args.get("mode")
    resource = profile = mode = None
    for param in body.get("parameter") or []:
        name = param.get("name") if isinstance(param, dict) else None
        if name == "resource":
            resource = param.get("resource")
        elif name == "profile":
            profile = param.get("valueUri") or param.get("valueCanonical")
        elif name == "mode":
            mode = param.get("valueCode")
    if mode is not None and mode not in VALIDATE_MODES:
        raise InvalidRequest(f"Unknown $validate mode {mode!r}", expression="Parameters.parameter")
    if resource is not None and not isinstance(resource, dict):
        raise InvalidRequest("The resource parameter is not a resource")
    return resource, profile, mode


def _validation_response(resource: dict[str, Any], profile: str | None) -> Response:
    profiles = (profile,) if profile else ()
    issues: list[Issue] = api().validator.validate(resource, profiles=profiles)
    # $validate reports problems in its OperationOutcome; the call itself succeeded.
    return fhir_response(operation_outcome(issues))


REPORT_FORMATS = ("json", "csv", "html")


@operations.get("/Measure/ltsc-offer-uptake/$evaluate-measure")
def evaluate_offer_uptake() -> Response:
    """REPORT: LTS-C offers and uptake over what the caller may see, as a MeasureReport, CSV or
    an HTML page (`format=json|csv|html`; `_format` keeps its FHIR meaning)."""
    from adapter.api.security import require_scope
    from adapter.reports.service import RESOURCE_TYPES, evaluate_measure

    for rtype in RESOURCE_TYPES:
        require_scope("search", rtype)
    report_format = request.args.get("format", "json")
    if report_format not in REPORT_FORMATS:
        raise InvalidRequest(
            f"format must be one of {', '.join(REPORT_FORMATS)}", expression="format"
        )
    params = {k: request.args[k] for k in ("periodStart", "periodEnd", "plan") if k in request.args}
    resources = [r for rtype in RESOURCE_TYPES for r in _everything_visible(rtype)]
    body, media_type = evaluate_measure(resources, {**params, "_format": report_format})
    if report_format == "json":
        return fhir_response(orjson.loads(body))
    return Response(body, mimetype=media_type)


def _everything_visible(rtype: str) -> list[dict[str, Any]]:
    """Every current resource of the type the caller's compartment holds, page by page."""
    store = guarded_store()
    size = api().settings.page_size_max
    found: list[dict[str, Any]] = []
    params: list[tuple[str, str]] | None = [("_count", str(size))]
    while params is not None:
        page = store.search(rtype, params)
        found += [m.resource for m in page.matches]
        params = page.next_params
    return found
