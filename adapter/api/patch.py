"""`PATCH [type]/[id]` and conditional `PATCH [type]?query`: JSON Patch, FHIRPath Patch and
JSON Merge Patch, the result stored through the same path as an update (PUT)."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import jsonpointer
import orjson
from flask import Blueprint, Response, request

from adapter.api.context import api
from adapter.api.fhirpath_patch import apply_fhirpath_patch
from adapter.api.formats import check_json_limits, read_body, refuse_nul
from adapter.api.headers import etag, if_match
from adapter.api.rest import store_update
from adapter.api.security import guarded_store
from adapter.api.served import FORMAT_PARAMETERS
from adapter.api.writes import check_id, check_type
from adapter.errors import InvalidRequest, NotFound, PreconditionFailed, Unprocessable

patch = Blueprint("fhir_patch", __name__)

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
# What CapabilityStatement.patchFormat declares.
PATCH_FORMATS = (JSON_PATCH, MERGE_PATCH, "application/fhir+json", "application/fhir+xml")


@patch.patch("/<rtype>/<rid>")
def patch_instance(rtype: str, rid: str) -> Response:
    check_type(rtype)
    check_id(rid)
    return _patch(rtype, rid)


@patch.patch("/<rtype>")
def conditional_patch(rtype: str) -> Response:
    check_type(rtype)
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in FORMAT_PARAMETERS]
    if not query:
        raise InvalidRequest("A conditional patch needs search parameters in the URL")
    refuse_nul(*(text for pair in query for text in pair))
    page = guarded_store().search(rtype, [*query, ("_count", "2")], strict=True)
    if not page.matches:
        raise NotFound(f"No {rtype} matches {request.query_string.decode()[:200]!r}")
    if len(page.matches) > 1 or page.total > 1:
        raise PreconditionFailed(f"The conditional patch matches {page.total} {rtype} resources")
    return _patch(rtype, page.matches[0].id)


def _patch(rtype: str, rid: str) -> Response:
    stored = guarded_store().read(rtype, rid)
    wanted = if_match()
    current = etag(stored.version_id)
    if wanted is not None and wanted != current:
        raise PreconditionFailed(
            f"{rtype}/{rid} is at version {stored.version_id}, not {wanted}", expression="If-Match"
        )
    patched = patched_resource(stored.resource)
    if patched.get("resourceType") != rtype or patched.get("id") != rid:
        raise Unprocessable("A patch may not change resourceType or id", expression=f"{rtype}.id")
    # The version read is the one patched: a concurrent write in between fails with 409/412.
    return store_update(rtype, rid, patched, current)


def patched_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with the request's patch applied, by the body's media type."""
    mimetype = request.mimetype
    if mimetype == JSON_PATCH:
        return _json_patch(resource, _json_body())
    if mimetype == MERGE_PATCH:
        return merge_patch(resource, _json_body())
    # FHIR JSON or XML; 415 for anything else. Plain JSON may be a partial resource.
    body = _json_body() if mimetype == "application/json" else read_body()
    if not isinstance(body, dict):
        raise InvalidRequest("The patch body must be a JSON object")
    if body.get("resourceType") == "Parameters":
        definitions = api().definitions
        return apply_fhirpath_patch(resource, body, lambda path: repeats(definitions, path))
    return merge_patch(resource, body)  # a partial resource, as fhirpy and Aidbox send


def _json_body() -> Any:
    data = request.get_data(cache=True)
    if not data.strip():
        raise InvalidRequest("The patch body is empty")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"The patch body is not valid JSON: {exc}") from None
    settings = api().settings
    check_json_limits(value, settings.max_json_depth, settings.max_array_length)
    return value


def _json_patch(resource: dict[str, Any], operations: Any) -> dict[str, Any]:
    if not isinstance(operations, list):
        raise InvalidRequest("A JSON Patch body is an array of operations")
    try:
        return jsonpatch.JsonPatch(operations).apply(copy.deepcopy(resource))
    except jsonpatch.JsonPatchTestFailed as exc:
        raise Unprocessable(f"JSON Patch test failed: {exc}") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise Unprocessable(f"The JSON Patch cannot be applied: {exc}") from None
    except (TypeError, KeyError, AttributeError) as exc:
        raise InvalidRequest(f"The JSON Patch is malformed: {exc}") from None


def merge_patch(target: Any, changes: Any) -> Any:
    """RFC 7396: objects merge key by key, `null` removes, anything else replaces."""
    if not isinstance(changes, dict):
        return copy.deepcopy(changes)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def repeats(definitions: Any, path: str) -> bool:
    """Whether the element at a definition path (`Task.note`) may repeat, per base R4."""
    resource_type = path.split(".", 1)[0]
    definition = definitions.structure_definition(resource_type) if definitions else None
    for element in (definition or {}).get("snapshot", {}).get("element", []):
        if element.get("path") == path:
            return element.get("max") not in ("0", "1")
    return False
