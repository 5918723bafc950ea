"""FHIR HTTP headers: Prefer, ETag / If-Match, Last-Modified and Location."""

from __future__ import annotations

from datetime import datetime

from flask import request
from werkzeug.http import http_date

from adapter.api.context import resource_url
from adapter.errors import InvalidRequest

RETURN_PREFERENCES = ("minimal", "representation", "OperationOutcome")


def preferences() -> dict[str, str]:
    """The `Prefer` header as a dict (`return`, `handling`, ...)."""
    prefs = {}
    for token in request.headers.get("Prefer", "").split(","):
        name, _, value = token.strip().partition("=")
        if name:
            prefs[name.strip().lower()] = value.strip().strip('"')
    return prefs


def return_preference() -> str:
    wanted = preferences().get("return", "representation")
    return wanted if wanted in RETURN_PREFERENCES else "representation"


def strict_handling() -> bool:
    return preferences().get("handling", "lenient") == "strict"


def etag(version_id: str) -> str:
    return f'W/"{version_id}"'


def if_match() -> str | None:
    """The If-Match version as `W/"n"`; a bare number or `"n"` is accepted too."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    version = raw.strip().removeprefix("W/").strip('"')
    if not version:
        raise InvalidRequest('If-Match must carry a version, e.g. W/"3"')
    return etag(version)


def version_headers(
    resource_type: str, resource_id: str, version_id: str, last_updated: datetime, *, location=False
) -> dict[str, str]:
    headers = {"ETag": etag(version_id), "Last-Modified": http_date(last_updated)}
    if location:
        headers["Location"] = resource_url(resource_type, resource_id, version_id)
    return headers
