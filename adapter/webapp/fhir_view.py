"""Plain words from FHIR resources: names, codes, contact points, references."""

from __future__ import annotations

from typing import Any

from adapter.webapp.access import read_reference

Resource = dict[str, Any]


def first_coding(concept: Any) -> Resource:
    """The first coding of a CodeableConcept (or of the first of a list of them)."""
    if isinstance(concept, list):
        concept = concept[0] if concept else None
    codings = (concept or {}).get("coding") or []
    return codings[0] if codings else {}


def code_of(concept: Any) -> str | None:
    return first_coding(concept).get("code")


def label_of(concept: Any) -> str:
    """What a person reads for a concept: its text, the coding's display, else the code."""
    if isinstance(concept, dict) and concept.get("text"):
        return str(concept["text"])
    coding = first_coding(concept)
    return str(coding.get("display") or coding.get("code") or "")


def human_name(resource: Resource | None) -> str:
    names = (resource or {}).get("name") or []
    if isinstance(names, str):
        return names
    if not names:
        return ""
    name = names[0]
    return " ".join([*(name.get("given") or []), name.get("family") or ""]).strip()


def telecom(resource: Resource | None, system: str) -> str | None:
    for point in (resource or {}).get("telecom") or []:
        if point.get("system") == system:
            return str(point.get("value"))
    return None


def extensions(resource: Resource, suffix: str) -> list[Resource]:
    return [e for e in resource.get("extension") or [] if str(e.get("url", "")).endswith(suffix)]


class References:
    """Resolves references to display names, reading each resource at most once."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._cache: dict[str, Resource | None] = {}

    def resource(self, reference: str | None) -> Resource | None:
        if not reference or "/" not in reference:
            return None
        if reference not in self._cache:
            self._cache[reference] = read_reference(self.store, reference)
        return self._cache[reference]

    def name(self, reference: str | None) -> str:
        """A person's or organization's name; a PractitionerRole speaks for its Practitioner."""
        found = self.resource(reference)
        if found is None:
            return "unknown"
        if found["resourceType"] == "PractitionerRole":
            return human_name(self.resource((found.get("practitioner") or {}).get("reference")))
        return human_name(found) or "unknown"

    def organization_of(self, role_reference: str | None) -> str:
        role = self.resource(role_reference) or {}
        return self.name((role.get("organization") or {}).get("reference"))
