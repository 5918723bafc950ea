"""Errors of the mapping: a spec that does not load, a member that does not map."""

from __future__ import annotations

from adapter.errors import ConfigurationError, Unprocessable


class SpecError(ConfigurationError):
    """A mapping spec is malformed; raised at load time, naming the file and the element."""


class MappingError(Unprocessable):
    """A member's Bundle failed the FHIR model check (its issues say where)."""
