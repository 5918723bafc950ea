"""What the API serves: resource types, their profiles, search parameters and includes (data)."""

from __future__ import annotations

from adapter.canonical import profile_url

# Our profiles per type (docs/architecture.md §3); CapabilityStatement.supportedProfile.
PROFILES: dict[str, tuple[str, ...]] = {
    "Patient": ("onecare-patient",),
    "Organization": ("onecare-organization", "ltsc-cbo"),
    "Practitioner": ("onecare-practitioner",),
    "PractitionerRole": ("ltsc-practitionerrole", "cc-practitionerrole"),
    "CareTeam": ("ltsc-careteam",),
    "CarePlan": ("onecare-careplan",),
    "Goal": ("onecare-goal",),
    "Condition": ("ltss-need-condition",),
    "Task": ("ltsc-offer-task", "ltss-service-task"),
    "ServiceRequest": ("ltss-servicerequest",),
    "Procedure": ("ltss-procedure",),
    "Communication": ("ltsc-communication",),
    "Consent": ("ltsc-consent",),
    "Provenance": ("onecare-provenance",),
    "MeasureReport": (),
    # Written by the server for every access; searchable with an auditor's scope only.
    "AuditEvent": (),
}

RESOURCE_TYPES: tuple[str, ...] = tuple(PROFILES)

# `_include` / `_revinclude` paths the store resolves (issue 4).
INCLUDES: dict[str, tuple[str, ...]] = {
    "CarePlan": ("CarePlan:care-team",),
    "Task": ("Task:focus",),
    "CareTeam": ("CareTeam:participant",),
}
REVINCLUDES: dict[str, tuple[str, ...]] = {
    "CareTeam": ("CarePlan:care-team",),
    "ServiceRequest": ("Task:focus",),
    "PractitionerRole": ("CareTeam:participant",),
}

# Parameters the API itself consumes; never passed to the store.
FORMAT_PARAMETERS = ("_format", "_pretty")


def profile_urls(resource_type: str) -> list[str]:
    return [profile_url(p) for p in PROFILES.get(resource_type, ())]
