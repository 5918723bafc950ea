"""Words people read for codes: our CodeSystems' displays (profiles/), FHIR's Task statuses and
language names, each code shown once however many codings repeat it."""

from __future__ import annotations

import functools
from typing import Any

from adapter.config import PROFILES_DIR
from adapter.mapping.specs import code_system_displays

# FHIR R4 task-status displays, in the sentence case the rest of the app uses.
TASK_STATUS = {
    "draft": "Draft", "requested": "Requested", "received": "Received", "accepted": "Accepted",
    "rejected": "Rejected", "ready": "Ready", "cancelled": "Cancelled",
    "in-progress": "In progress", "on-hold": "On hold", "failed": "Failed",
    "completed": "Completed", "entered-in-error": "Entered in error",
}  # fmt: skip
# Names people read for the BCP-47 codes One Care members most often prefer; others show as code.
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "pt": "Portuguese", "ht": "Haitian Creole",
    "vi": "Vietnamese", "zh": "Chinese", "km": "Khmer", "ru": "Russian", "ar": "Arabic",
    "ase": "American Sign Language", "fr": "French", "cv": "Cape Verdean Creole",
}  # fmt: skip
SERVICE_KINDS = {
    "authorization": "Authorization",
    "fulfillment": "Fulfillment",
    "alternative-search": "Search for an alternative",
    "interim-alternative": "Interim alternative while wait-listed",
}


@functools.cache
def displays() -> dict[str, dict[str, str]]:
    """{CodeSystem id: {code: display}} of our CodeSystems."""
    return code_system_displays(PROFILES_DIR)


def display(code_system: str, code: str | None) -> str:
    """Our CodeSystem's display for a code; the code itself only when the system lacks it."""
    if not code:
        return ""
    return displays().get(code_system, {}).get(code) or code


def concept_labels(concept: Any) -> list[str]:
    """Each distinct meaning of a CodeableConcept (or a list of them) once, in order: the
    display of our CodeSystem first, then the coding's own display, then the code."""
    concepts = concept if isinstance(concept, list) else [concept]
    found: list[str] = []
    for item in concepts:
        for coding in (item or {}).get("coding") or []:
            label = _coding_label(coding)
            if label and label not in found:
                found.append(label)
    return found


def _coding_label(coding: dict[str, Any]) -> str:
    system, code = str(coding.get("system") or ""), coding.get("code")
    ours = displays().get(system.rsplit("/", 1)[-1]) if "/CodeSystem/" in system else None
    return (ours or {}).get(code or "") or str(coding.get("display") or code or "")


def task_status(code: str | None) -> str:
    return TASK_STATUS.get(code or "", code or "")


def language(code: str | None) -> str | None:
    return LANGUAGE_NAMES.get(code or "", code) if code else None


def service_kind(kind: str) -> str:
    return SERVICE_KINDS.get(kind, kind.replace("-", " ").capitalize())
