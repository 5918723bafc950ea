"""What FHIRPath functions may consult while one resource is validated, held in a context variable.

`resolve()`, `memberOf()` and `conformsTo()` need the validation in progress (its Bundle, its
contained resources, the validator); both the fast path and fhirpathpy read it from here.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OFFLINE = "could not be checked offline"


@dataclass
class EvaluationScope:
    """What `resolve()`, `memberOf()` and `conformsTo()` may consult during one validation."""

    references: dict[str, dict[str, Any]] = field(default_factory=dict)
    # fullUrls of the enclosing Bundle; None outside a Bundle, where urn:uuid cannot resolve.
    bundle_full_urls: set[str] | None = None
    member_of: Callable[[Any, str], bool] | None = None
    conforms_to: Callable[[Any, str], bool] | None = None
    # (id of a reference target, profile URL) -> whether it conforms; shared by nested scopes
    verdicts: dict[tuple[int, str], bool] = field(default_factory=dict)


SCOPE: contextvars.ContextVar[EvaluationScope] = contextvars.ContextVar("fhirpath_scope")


class UnsupportedCheck(Exception):
    """A function the validator cannot answer offline; the constraint is reported, never passed."""
