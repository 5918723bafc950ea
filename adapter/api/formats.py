"""Content negotiation: JSON or XML bodies in, FHIR responses out (`_format`, `_pretty`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from flask import Response, request

from adapter.api.context import api
from adapter.errors import AdapterError, InvalidRequest, UnsupportedMediaType

JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")
XML_TYPES = ("application/fhir+xml", "application/xml", "text/xml", "application/xml+fhir")
MEDIA_TYPES = {"json": "application/fhir+json", "xml": "application/fhir+xml"}
FORMAT_NAMES = {"json": "json", "xml": "xml"} | dict.fromkeys(JSON_TYPES, "json")
FORMAT_NAMES |= dict.fromkeys(XML_TYPES, "xml")


class NotAcceptable(AdapterError):
    """The client asked for a response format the server cannot produce."""

    http_status = 406
    issue_code = "not-supported"


def response_format() -> str:
    """`json` or `xml`, from `_format` first, then the Accept header; JSON when unstated."""
    requested = request.args.get("_format")
    if requested:
        # A '+' in a query string arrives as a space (application/fhir+json).
        name = requested.split(";")[0].strip().replace(" ", "+").lower()
        fmt = FORMAT_NAMES.get(name)
        if fmt is None:
            raise NotAcceptable(f"Unsupported _format {requested!r}; use json or xml")
    else:
        best = request.accept_mimetypes.best_match([*JSON_TYPES, *XML_TYPES])
        fmt = "xml" if best in XML_TYPES else "json"
    if fmt == "xml" and api().xml is None:
        raise NotAcceptable("XML is not available on this server; use JSON")
    return fmt


def is_pretty() -> bool:
    return request.args.get("_pretty", "").lower() == "true"


def fhir_response(
    body: dict[str, Any] | None, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A response in the negotiated format; falls back to JSON if negotiation itself failed."""
    try:
        fmt = response_format()
    except AdapterError:
        fmt = "json"
    response = Response(status=status, headers=headers or {})
    if body is not None:
        response.set_data(_serialise(body, fmt))
        response.content_type = f"{MEDIA_TYPES[fmt]}; charset=utf-8"
    return response


def _serialise(body: dict[str, Any], fmt: str) -> bytes:
    if fmt == "xml":
        ctx = api()
        return ctx.xml.to_xml(body, ctx.definitions, pretty=is_pretty())
    option = orjson.OPT_INDENT_2 if is_pretty() else 0
    return orjson.dumps(body, option=option)


def request_format() -> str:
    """`json` or `xml` from Content-Type; 415 for anything else or a charset other than UTF-8."""
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"Request charset {charset!r} is not supported; use UTF-8")
    fmt = FORMAT_NAMES.get(mimetype) if "/" in mimetype else None
    if fmt is None:
        raise UnsupportedMediaType(
            f"Content-Type {mimetype or '(none)'!r} is not supported; "
            "use application/fhir+json or application/fhir+xml"
        )
    if fmt == "xml" and api().xml is None:
        raise UnsupportedMediaType("XML is not available on this server; use JSON")
    return fmt


def read_body() -> dict[str, Any]:
    """The request body as a FHIR resource dict, within the size, depth and array limits."""
    fmt = request_format()
    data = request.get_data(cache=True)
    if not data.strip():
        raise InvalidRequest("The request body is empty; send a FHIR resource")
    resource = _parse(data, fmt)
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidRequest("The request body is not a FHIR resource (no resourceType)")
    return resource


def has_body() -> bool:
    return bool(request.get_data(cache=True).strip())


def _parse(data: bytes, fmt: str) -> Any:
    ctx = api()
    if fmt == "xml":
        return plain_numbers(ctx.xml.parse_xml(data, ctx.definitions))
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"The request body is not valid UTF-8 JSON: {exc}") from None
    check_json_limits(value, ctx.settings.max_json_depth, ctx.settings.max_array_length)
    return value


def check_json_limits(value: Any, max_depth: int, max_array: int) -> None:
    """Refuse hostile nesting, huge arrays and NUL characters before anything else reads them."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise InvalidRequest(f"JSON nested deeper than {max_depth} levels")
        if isinstance(node, str):
            refuse_nul(node)
        elif isinstance(node, dict):
            refuse_nul(*node)
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            if len(node) > max_array:
                raise InvalidRequest(f"JSON array longer than {max_array} items")
            stack.extend((child, depth + 1) for child in node)


def plain_numbers(value: Any) -> Any:
    """XML decimals arrive as `Decimal`; the store writes JSON numbers, so hand it floats."""
    if isinstance(value, dict):
        return {k: plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and "." not in str(value)
            else float(value)
        )
    return value


def refuse_nul(*texts: str) -> None:
    # FHIR strings forbid control characters, and PostgreSQL cannot store U+0000 at all.
    if any("\x00" in text for text in texts):
        raise InvalidRequest("Text must not contain the NUL character (U+0000)")


def check_query() -> None:
    """Search and conditional parameters obey the same character rule as bodies."""
    for name, value in request.args.items(multi=True):
        refuse_nul(name, value)
