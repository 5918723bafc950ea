"""Small FHIR resources for the exchange tests; valid against base R4."""

from __future__ import annotations

from typing import Any

from adapter.canonical import BASE


def patient(member: str, family: str = "Santos") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": f"mbr-{member.lower()}",
        "identifier": [{"system": f"{BASE}/NamingSystem/plan-member-id", "value": member}],
        "name": [{"family": family, "given": ["Maria"]}],
    }


SOURCE = f"{BASE}/NamingSystem/source-record"
FULFILL = {"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}


def task(member: str, key: str, status: str = "requested", owner: str = "cbo-bcil") -> dict:
    return {
        "resourceType": "Task",
        "id": f"svc-{member.lower()}-{key}",
        "identifier": [{"system": SOURCE, "value": f"{member}/{key}"}],
        "status": status,
        "intent": "order",
        "code": {"coding": [FULFILL]},
        "for": {"reference": f"Patient/mbr-{member.lower()}"},
        "owner": {"reference": f"Organization/{owner}"},
        "requester": {"reference": "Organization/plan-cca-oc"},
    }
