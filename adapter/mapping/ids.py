"""Deterministic, readable resource ids and transaction fullUrls (docs/architecture.md §4)."""

from __future__ import annotations

import hashlib
import re

from adapter.canonical import BASE

MAX_ID_LENGTH = 64
# Room for the readable head plus a dash and a 16-hex digest within FHIR's 64-character id limit.
_HASHED_HEAD = MAX_ID_LENGTH - 17
_NOT_ID_CHAR = re.compile(r"[^a-z0-9.-]")


def resource_id(*parts: object) -> str:
    """Join parts with '-', lowercase, replace characters outside [a-z0-9.-]; hash if too long."""
    text = _NOT_ID_CHAR.sub("-", "-".join(str(p) for p in parts).lower())
    if len(text) <= MAX_ID_LENGTH:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{text[:_HASHED_HEAD]}-{digest}"


def full_url(resource_type: str, rid: str) -> str:
    """The fullUrl of a PUT entry: the resource's absolute URL under the canonical base, so the
    entry is the target of every `Type/id` reference to it inside the Bundle."""
    return f"{BASE}/{resource_type}/{rid}"
