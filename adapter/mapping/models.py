"""The FHIR R4 model check: every resource goes through fhir.resources' R4B models.

This is the only module that imports `fhir.resources`; its top-level package is R5 and would
silently drop R4 elements, hence the explicit R4B import.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import orjson
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from adapter.outcome import Issue

# Directory resources repeat in every Bundle of an export; checking each distinct one once
# saves about a third of the model-check time. Bounded, since an export's directory is.
_REPEATED_TYPES = frozenset({"Organization", "Practitioner", "PractitionerRole"})
_CACHE_SIZE = 4096

Problem = tuple[str, str]  # (path inside the resource, message)


def check_resource(resource: Mapping[str, Any], location: str | None = None) -> list[Issue]:
    """Issues for one resource that the R4B model refuses; [] when it parses."""
    resource_type = str(resource.get("resourceType", ""))
    where = location or resource_type or "Resource"
    if resource_type in _REPEATED_TYPES:
        problems = _problems_of_serialized(orjson.dumps(resource))
    else:
        problems = _problems(resource)
    return [_issue(where, path, message) for path, message in problems]


def check_bundle(bundle: Mapping[str, Any]) -> list[Issue]:
    """Model-check a Bundle entry by entry, so each issue names the entry it is in."""
    issues = check_resource({k: v for k, v in bundle.items() if k != "entry"}, "Bundle")
    for index, entry in enumerate(bundle.get("entry") or ()):
        resource = entry.get("resource") or {}
        issues.extend(check_resource(resource, f"Bundle.entry[{index}].resource"))
    return issues


def canonical_form(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The resource as the R4B model writes it back: FHIR's element order, empties dropped."""
    model = get_fhir_model_class(str(resource["resourceType"]))
    return model.model_validate(resource).model_dump(mode="json", by_alias=True, exclude_none=True)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _problems_of_serialized(resource_json: bytes) -> tuple[Problem, ...]:
    return _problems(orjson.loads(resource_json))


def _problems(resource: Mapping[str, Any]) -> tuple[Problem, ...]:
    resource_type = str(resource.get("resourceType", ""))
    try:
        model = get_fhir_model_class(resource_type)
    except (KeyError, ValueError, LookupError):
        return (("", f"unknown resource type {resource_type!r}"),)
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return tuple((_path(e), str(e.get("msg", "invalid"))) for e in exc.errors())
    return ()


def _path(error: Mapping[str, Any]) -> str:
    return ".".join(_step(part) for part in error.get("loc", ()) if part != "__root__")


def _issue(where: str, path: str, message: str) -> Issue:
    expression = f"{where}.{path}".replace(".[", "[") if path else where
    return Issue("error", "structure", message, (expression,))


def _step(part: Any) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)
