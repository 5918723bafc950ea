"""`_summary` and `_elements`: the parts of a resource a client asked for, marked SUBSETTED."""

from __future__ import annotations

import functools
from typing import Any

from flask import request

from adapter.api.context import api
from adapter.errors import InvalidRequest

SUBSETTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "SUBSETTED",
}
ALWAYS = ("resourceType", "id", "meta")
READ_SUMMARIES = ("true", "text", "data", "false")


def requested(
    *, on_read: bool, params: list[tuple[str, str]] | None = None
) -> tuple[str | None, list[str] | None]:
    """The `_summary` and `_elements` of the request, or of `params` (checked), if any."""
    pairs = list(request.args.items(multi=True)) if params is None else params
    summaries = [v for k, v in pairs if k == "_summary"]
    summary = summaries[-1] if summaries else None
    if on_read and summary is not None and summary not in READ_SUMMARIES:
        raise InvalidRequest(
            f"_summary on a read must be one of {', '.join(READ_SUMMARIES)}", expression="_summary"
        )
    raw = [v for k, v in pairs if k == "_elements"]
    elements = [e.strip() for value in raw for e in value.split(",") if e.strip()] or None
    if elements and any(not e.replace("[x]", "").isalnum() for e in elements):
        raise InvalidRequest("_elements takes top-level element names", expression="_elements")
    return summary, elements


def subset(resource: dict[str, Any], summary: str | None, elements: list[str] | None) -> Any:
    """The resource as asked for; unchanged when nothing was asked."""
    rtype = resource.get("resourceType", "")
    if elements:
        keep = {*ALWAYS, *_mandatory(rtype), *elements}
        return _tagged({k: v for k, v in resource.items() if _named(k, keep)})
    if summary == "true":
        keep = {*ALWAYS, *_summary_elements(rtype)}
        return _tagged({k: v for k, v in resource.items() if _named(k, keep)})
    if summary == "text":
        keep = {*ALWAYS, "text", *_mandatory(rtype)}
        return _tagged({k: v for k, v in resource.items() if _named(k, keep)})
    if summary == "data":
        return _tagged({k: v for k, v in resource.items() if k != "text"})
    return resource


def _named(key: str, keep: set[str]) -> bool:
    """A key is kept when named, or when it is a choice (`valueString`) of a kept `value[x]`."""
    if key in keep:
        return True
    return any(k.endswith("[x]") and key.startswith(k[:-3]) for k in keep)


def _tagged(resource: dict[str, Any]) -> dict[str, Any]:
    meta = dict(resource.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), SUBSETTED]
    return {**resource, "meta": meta}


def _top_level(resource_type: str) -> list[dict[str, Any]]:
    definition = api().definitions.structure_definition(resource_type) or {}
    elements = definition.get("snapshot", {}).get("element", [])
    return [e for e in elements if e.get("path", "").count(".") == 1]


@functools.cache
def _summary_elements(resource_type: str) -> frozenset[str]:
    return frozenset(
        e["path"].split(".", 1)[1] for e in _top_level(resource_type) if e.get("isSummary")
    )


@functools.cache
def _mandatory(resource_type: str) -> frozenset[str]:
    return frozenset(
        e["path"].split(".", 1)[1] for e in _top_level(resource_type) if e.get("min", 0) > 0
    )
