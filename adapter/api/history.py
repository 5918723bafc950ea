"""`_history` at instance, type and system level, paged with `_count`/`_offset`, `_since`."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, request

from adapter.api import bundles
from adapter.api.context import api
from adapter.api.formats import fhir_response
from adapter.api.security import guarded_store
from adapter.api.writes import check_id, check_type, whole_number
from adapter.errors import InvalidRequest, NotFound

history = Blueprint("fhir_history", __name__)


@history.get("/_history")
def system_history() -> Response:
    return _history(None, None, "_history")


@history.get("/<rtype>/_history")
def type_history(rtype: str) -> Response:
    return _history(check_type(rtype), None, f"{rtype}/_history")


@history.get("/<rtype>/<rid>/_history")
def instance_history(rtype: str, rid: str) -> Response:
    check_type(rtype)
    check_id(rid)
    return _history(rtype, rid, f"{rtype}/{rid}/_history")


def _history(rtype: str | None, rid: str | None, path: str) -> Response:
    settings = api().settings
    requested = request.args.get("_count", str(settings.page_size_default))
    count = min(whole_number("_count", requested, limit=2**62), settings.page_size_max)
    offset = whole_number("_offset", request.args.get("_offset", "0"))
    since_raw = request.args.get("_since")
    since = _instant(since_raw) if since_raw else None
    page = guarded_store().history(rtype, rid, since=since, count=count, offset=offset)
    if rid is not None and page.total == 0 and since is None:
        raise NotFound(f"{rtype}/{rid} has no history here")
    params = [("_since", since_raw)] if since_raw else []
    return fhir_response(bundles.history(path, page, params, offset, count))


def _instant(value: str) -> datetime:
    """`_since` as an aware UTC instant; 400 for anything else, including years past 9999."""
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))
        aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidRequest(
            f"_since must be a FHIR instant, got {value[:40]!r}", expression="_since"
        ) from None
