"""What a running API holds: settings, store, validator and FHIR XML support, kept in the app."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request

from adapter.config import Settings

EXTENSION_KEY = "ltsc_api"


@dataclass
class ApiContext:
    """Everything a request handler needs, built once by `create_app`."""

    settings: Settings
    store: Any
    validator: Any
    xml: Any | None = None  # adapter.validation.fhir_xml; None serves JSON only
    definitions: Any | None = None
    # Held around every store write; see adapter/api/gate.py.
    write_gate: AbstractContextManager[Any] = field(default_factory=nullcontext)

    @property
    def base_path(self) -> str:
        return base_path(self.settings)


def base_path(settings: Settings) -> str:
    """The path the FHIR API lives under, taken from `Settings.base_url` (e.g. `/fhir`)."""
    return urlsplit(settings.base_url).path.rstrip("/")


def api() -> ApiContext:
    return current_app.extensions[EXTENSION_KEY]


def base_url() -> str:
    """The absolute FHIR base as the client reached it (host from the request)."""
    return request.host_url.rstrip("/") + api().base_path


def resource_url(resource_type: str, resource_id: str, version_id: str | None = None) -> str:
    url = f"{base_url()}/{resource_type}/{resource_id}"
    return f"{url}/_history/{version_id}" if version_id else url
