"""HTTP helpers for the API tests: FHIR JSON requests and OperationOutcome checks."""

from __future__ import annotations

from typing import Any

import orjson

FHIR_JSON = "application/fhir+json"


def post(client: Any, path: str, resource: Any, headers: dict[str, str] | None = None) -> Any:
    body = orjson.dumps(resource)
    return client.post(f"/fhir/{path}", data=body, content_type=FHIR_JSON, headers=headers or {})


def put(client: Any, path: str, resource: Any, headers: dict[str, str] | None = None) -> Any:
    body = orjson.dumps(resource)
    return client.put(f"/fhir/{path}", data=body, content_type=FHIR_JSON, headers=headers or {})


def issue_codes(response: Any) -> list[str]:
    body = response.get_json(force=True)
    assert body["resourceType"] == "OperationOutcome"
    return [issue["code"] for issue in body["issue"]]
