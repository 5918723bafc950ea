"""Searchset and history Bundles from store pages, with absolute fullUrls and paging links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request

from adapter.api.context import base_url, resource_url
from adapter.api.headers import etag
from adapter.api.served import FORMAT_PARAMETERS
from adapter.outcome import Issue, operation_outcome

Params = list[tuple[str, str]]


def page_link(relation: str, path: str, params: Params) -> dict[str, str]:
    """A link that keeps the client's `_format`/`_pretty` choices."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k in FORMAT_PARAMETERS]
    query = urlencode([*params, *kept])
    url = f"{base_url()}/{path}" + (f"?{query}" if query else "")
    return {"relation": relation, "url": url}


def searchset(resource_type: str, page: Any, used_params: Params) -> dict[str, Any]:
    links = [page_link("self", resource_type, used_params)]
    if page.next_params:
        links.append(page_link("next", resource_type, page.next_params))
    if page.prev_params:
        links.append(page_link("previous", resource_type, page.prev_params))
    entries = [_search_entry(r, "match") for r in page.matches]
    entries += [_search_entry(r, "include") for r in page.included]
    if page.ignored_params:
        entries.append(_ignored_entry(page.ignored_params))
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if page.total is not None:  # `_total=none` asks for no count
        bundle["total"] = page.total
    bundle["link"] = links
    if entries:
        bundle["entry"] = entries
    return bundle


def _search_entry(stored: Any, mode: str) -> dict[str, Any]:
    return {
        "fullUrl": resource_url(stored.type, stored.id),
        "resource": stored.resource,
        "search": {"mode": mode},
    }


def _ignored_entry(ignored: Params) -> dict[str, Any]:
    names = ", ".join(sorted({name for name, _ in ignored}))
    issue = Issue("warning", "not-supported", f"Search parameters ignored: {names}")
    return {"resource": operation_outcome([issue]), "search": {"mode": "outcome"}}


def history(path: str, page: Any, params: Params, offset: int, count: int) -> dict[str, Any]:
    links = [page_link("self", path, [*params, ("_count", str(count)), ("_offset", str(offset))])]
    if page.next_offset is not None:
        next_params = [*params, ("_count", str(count)), ("_offset", str(page.next_offset))]
        links.append(page_link("next", path, next_params))
    if offset > 0:
        prev_params = [*params, ("_count", str(count)), ("_offset", str(max(0, offset - count)))]
        links.append(page_link("previous", path, prev_params))
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "history", "total": page.total}
    bundle["link"] = links
    if page.entries:
        bundle["entry"] = [_history_entry(r) for r in page.entries]
    return bundle


def _history_entry(stored: Any) -> dict[str, Any]:
    url = f"{stored.type}/{stored.id}"
    entry: dict[str, Any] = {"fullUrl": resource_url(stored.type, stored.id)}
    if stored.deleted:
        entry["request"] = {"method": "DELETE", "url": url}
        entry["response"] = {"status": "204 No Content", "etag": etag(stored.version_id)}
        return entry
    entry["resource"] = stored.resource
    created = stored.version_id == "1"
    entry["request"] = {
        "method": "POST" if created else "PUT",
        "url": url if not created else stored.type,
    }
    entry["response"] = {
        "status": "201 Created" if created else "200 OK",
        "etag": etag(stored.version_id),
        "lastModified": stored.last_updated.isoformat(),
    }
    return entry
