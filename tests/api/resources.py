"""Profile-conformant test resources, built the way the mapping shapes them (architecture §3-4)."""

from __future__ import annotations

from typing import Any

from adapter.canonical import code_system_url, identifier_system, profile_url

SOURCE_RECORD = identifier_system("source-record")
STAFF_ID = identifier_system("staff-id")
MEMBER_ID = identifier_system("plan-member-id")


def patient(member_id: str = "M100001", family: str = "Santos") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": f"mbr-{member_id.lower()}",
        "meta": {"profile": [profile_url("onecare-patient")]},
        "identifier": [{"system": MEMBER_ID, "value": member_id}],
        "name": [{"family": family, "given": ["Maria"]}],
        "gender": "female",
        "birthDate": "1971-03-14",
    }


def plan_organization(plan_id: str = "CCA-OC") -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": f"plan-{plan_id.lower()}",
        "meta": {"profile": [profile_url("onecare-organization")]},
        "identifier": [{"system": identifier_system("plan-id"), "value": plan_id}],
        "active": True,
        "name": "Commonwealth Care Alliance One Care",
    }


def practitioner(staff_id: str = "CC-0001") -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": f"prac-{staff_id.lower()}",
        "meta": {"profile": [profile_url("onecare-practitioner")]},
        "identifier": [{"system": STAFF_ID, "value": staff_id}],
        "name": [{"family": "Okafor", "given": ["Ada"]}],
    }


def cc_role(staff_id: str = "CC-0001", plan_id: str = "CCA-OC") -> dict[str, Any]:
    return {
        "resourceType": "PractitionerRole",
        "id": f"role-{staff_id.lower()}",
        "meta": {"profile": [profile_url("cc-practitionerrole")]},
        "identifier": [{"system": STAFF_ID, "value": staff_id}],
        "active": True,
        "practitioner": {"reference": f"Practitioner/prac-{staff_id.lower()}"},
        "organization": {"reference": f"Organization/plan-{plan_id.lower()}"},
        "code": [{"coding": [{"system": code_system_url("ltsc-role"), "code": "cc"}]}],
        "telecom": [
            {"system": "phone", "value": "617-555-0100"},
            {"system": "email", "value": "aokafor@plan.example.org"},
        ],
    }


def care_team(member_id: str = "M100001", staff_id: str = "CC-0001") -> dict[str, Any]:
    return {
        "resourceType": "CareTeam",
        "id": f"team-{member_id.lower()}",
        "meta": {"profile": [profile_url("ltsc-careteam")]},
        "identifier": [{"system": SOURCE_RECORD, "value": f"{member_id}/team"}],
        "status": "active",
        "subject": {"reference": f"Patient/mbr-{member_id.lower()}"},
        "participant": [
            {
                "role": [{"coding": [{"system": "http://snomed.info/sct", "code": "116154003"}]}],
                "member": {"reference": f"Patient/mbr-{member_id.lower()}"},
            },
            {
                "role": [{"coding": [{"system": code_system_url("ltsc-role"), "code": "cc"}]}],
                "member": {"reference": f"PractitionerRole/role-{staff_id.lower()}"},
            },
        ],
    }


def care_plan(member_id: str = "M100001") -> dict[str, Any]:
    return {
        "resourceType": "CarePlan",
        "id": f"plan-{member_id.lower()}",
        "meta": {"profile": [profile_url("onecare-careplan")]},
        "identifier": [{"system": SOURCE_RECORD, "value": f"{member_id}/care-plan"}],
        "status": "active",
        "intent": "plan",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
                        "code": "assess-plan",
                    }
                ]
            }
        ],
        "subject": {"reference": f"Patient/mbr-{member_id.lower()}"},
        "period": {"start": "2026-03-01"},
        "careTeam": [{"reference": f"CareTeam/team-{member_id.lower()}"}],
    }


def service_request(
    record_id: str = "SR-1", member_id: str = "M100001", intent: str = "proposal"
) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": f"servicerequest-{member_id.lower()}-{record_id.lower()}",
        "meta": {"profile": [profile_url("ltss-servicerequest")]},
        "identifier": [{"system": SOURCE_RECORD, "value": f"{member_id}/{record_id}"}],
        "status": "active",
        "intent": intent,
        "category": [{"coding": [{"system": "http://snomed.info/sct", "code": "410606002"}]}],
        "code": {
            "coding": [{"system": code_system_url("ltss-service-type"), "code": "personal-care"}]
        },
        "subject": {"reference": f"Patient/mbr-{member_id.lower()}"},
        "authoredOn": "2026-05-10",
        "requester": {"reference": "PractitionerRole/role-cc-0001"},
    }


def service_task(
    record_id: str = "SR-1", member_id: str = "M100001", status: str = "requested"
) -> dict[str, Any]:
    sr_id = f"servicerequest-{member_id.lower()}-{record_id.lower()}"
    return {
        "resourceType": "Task",
        "id": f"svc-{member_id.lower()}-{record_id.lower()}-authorization",
        "meta": {"profile": [profile_url("ltss-service-task")]},
        "identifier": [{"system": SOURCE_RECORD, "value": f"{member_id}/{record_id}/auth"}],
        "status": status,
        "intent": "order",
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "approve"}]
        },
        "focus": {"reference": f"ServiceRequest/{sr_id}"},
        "for": {"reference": f"Patient/mbr-{member_id.lower()}"},
        "authoredOn": "2026-05-10",
        "requester": {"reference": "PractitionerRole/role-cc-0001"},
        "owner": {"reference": "Organization/plan-cca-oc"},
    }
