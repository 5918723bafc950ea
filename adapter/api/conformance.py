"""Conformance resources on the FHIR API: read and search, and `ValueSet/$expand`.

StructureDefinition, ValueSet, CodeSystem and Measure come from our package (profiles/) and the
packages it depends on; SearchParameter holds the base R4 definitions of the parameters the
store answers; CapabilityStatement holds the published one and this server's live one. They
are definitions, not member data: any authenticated caller may read them, without a scope.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, Response, request

from adapter.api.bundles import page_link
from adapter.api.context import api, base_url, resource_url
from adapter.api.formats import fhir_response, has_body, read_body
from adapter.api.served import FORMAT_PARAMETERS, RESOURCE_TYPES, profile_urls
from adapter.api.writes import check_id, whole_number
from adapter.config import PROFILES_DIR
from adapter.conformance.catalog import (
    CONFORMANCE_TYPES,
    SEARCH_PARAMETERS,
    Catalog,
    base_search_parameters,
    catalog_from,
)
from adapter.errors import InvalidRequest
from adapter.validation.definitions import load_base_r4

conformance = Blueprint("fhir_conformance", __name__)
SERVER_CAPABILITY_ID = "ltsc-adapter-server"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
PAGING = ("_count", "_offset")
EXPAND_PARAMETERS = ("url", "filter", "count", "offset")


@functools.lru_cache(maxsize=1)
def served_catalog() -> Catalog:
    """Our package, its dependencies, and the base SearchParameters the store answers."""
    from adapter.store import supported_search_params

    urls = [
        p["definition"]
        for rtype in RESOURCE_TYPES
        for p in supported_search_params(rtype)
        if "definition" in p
    ]
    return catalog_from(PROFILES_DIR, base_search_parameters(load_base_r4(), urls))


def _with_live_capability(kind: str, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if kind != "CapabilityStatement":
        return resources
    from adapter.api.capability import capability_statement

    live = {"resourceType": "CapabilityStatement", "id": SERVER_CAPABILITY_ID}
    live.update(capability_statement(api(), base_url()))
    return [*resources, live]


def read(rtype: str, rid: str) -> Response:
    check_id(rid)
    if rtype == "CapabilityStatement" and rid == SERVER_CAPABILITY_ID:
        return fhir_response(_with_live_capability(rtype, [])[0])
    return fhir_response(served_catalog().read(rtype, rid))


def search(rtype: str) -> Response:
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in FORMAT_PARAMETERS]
    paging = {k: whole_number(k, v, 10_000) for k, v in params if k in PAGING}
    criteria = [(k, v) for k, v in params if k not in PAGING]
    catalog = served_catalog()
    if rtype == "CapabilityStatement":
        found = Catalog()
        for resource in _with_live_capability(rtype, catalog.search(rtype, [])):
            found.add(resource)
        matches = found.search(rtype, criteria)
    else:
        matches = catalog.search(rtype, criteria)
    offset, count = paging.get("_offset", 0), paging.get("_count", 100)
    page = matches[offset : offset + count]
    links = [page_link("self", rtype, params)]
    if offset + count < len(matches):
        next_params = [*criteria, ("_count", str(count)), ("_offset", str(offset + count))]
        links.append(page_link("next", rtype, next_params))
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(matches),
        "link": links,
    }
    if page:
        bundle["entry"] = [
            {
                "fullUrl": resource_url(rtype, str(r["id"])),
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in page
        ]
    return fhir_response(bundle)


def expand(rid: str | None = None) -> Response:
    """`$expand` by id or by `url`; `filter`, `offset` and `count` as FHIR defines them."""
    values = _expand_parameters()
    catalog = served_catalog()
    if rid is not None:
        check_id(rid)
        value_set = catalog.read("ValueSet", rid)
    elif values.get("url"):
        value_set = catalog.by_url("ValueSet", values["url"])
    else:
        raise InvalidRequest("$expand needs a ValueSet id or the url parameter", expression="url")
    offset = whole_number("offset", values.get("offset", "0"), 1_000_000)
    count = whole_number("count", values["count"], 10_000) if "count" in values else None
    return fhir_response(catalog.expand(value_set, values.get("filter"), offset, count))


def _expand_parameters() -> dict[str, str]:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in FORMAT_PARAMETERS]
    if request.method == "POST" and has_body():
        pairs += _parameters_body(read_body())
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in EXPAND_PARAMETERS:
            allowed = ", ".join(EXPAND_PARAMETERS)
            raise InvalidRequest(f"$expand takes {allowed}; not {name!r}", expression=name)
        values[name] = value
    return values


def _parameters_body(body: Any) -> list[tuple[str, str]]:
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise InvalidRequest("POST $expand takes a Parameters resource", expression="Parameters")
    pairs = []
    for parameter in body.get("parameter") or []:
        if not isinstance(parameter, dict):
            continue
        value = next((v for k, v in parameter.items() if k.startswith("value")), None)
        if isinstance(value, str | int) and not isinstance(value, bool):
            pairs.append((str(parameter.get("name")), str(value)))
    return pairs


def supported_profiles(resource_type: str) -> list[str]:
    """Our profiles of the type, then the US Core profiles they derive from (conformance to
    ours implies conformance to those), for CapabilityStatement.rest.resource.supportedProfile."""
    ours = profile_urls(resource_type)
    catalog = served_catalog()
    bases = []
    for url in ours:
        base = catalog.by_url("StructureDefinition", url).get("baseDefinition", "")
        if base.startswith(US_CORE) and base not in bases:
            bases.append(base)
    return ours + bases


def conformance_capabilities() -> list[dict[str, Any]]:
    """CapabilityStatement.rest.resource entries of the conformance types."""
    entries = []
    for kind in CONFORMANCE_TYPES:
        entry: dict[str, Any] = {
            "type": kind,
            "profile": f"http://hl7.org/fhir/StructureDefinition/{kind}",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {
                    "name": name,
                    "definition": f"http://hl7.org/fhir/SearchParameter/{_definition(kind, name)}",
                    "type": "token" if name in ("_id", "status") else _type_of(name),
                }
                for name in SEARCH_PARAMETERS
            ],
        }
        if kind == "ValueSet":
            entry["operation"] = [
                {
                    "name": "expand",
                    "definition": "http://hl7.org/fhir/OperationDefinition/ValueSet-expand",
                }
            ]
        entries.append(entry)
    return entries


def _definition(kind: str, name: str) -> str:
    if name == "_id":
        return "Resource-id"
    return f"conformance-{name}" if kind != "Measure" else f"Measure-{name}"


def _type_of(name: str) -> str:
    return {"url": "uri", "version": "token", "name": "string"}[name]


def _register() -> None:
    for kind in CONFORMANCE_TYPES:
        defaults = {"rtype": kind}
        conformance.add_url_rule(
            f"/{kind}", f"search_{kind}", search, methods=["GET"], defaults=defaults
        )
        conformance.add_url_rule(
            f"/{kind}/<rid>", f"read_{kind}", read, methods=["GET"], defaults=defaults
        )
    conformance.add_url_rule("/ValueSet/$expand", "expand_type", expand, methods=["GET", "POST"])
    conformance.add_url_rule(
        "/ValueSet/<rid>/$expand", "expand_instance", expand, methods=["GET", "POST"]
    )


_register()
