"""A C-CDA Care Plan ingested through the member service lands as FHIR care plan resources."""

from __future__ import annotations

from adapter.config import SAMPLES_DIR
from adapter.records.assemble import assemble
from adapter.records.ccda import read_ccda


def test_goals_care_plan_document_is_stored_with_its_goals_and_service_requests(store, service):
    export = assemble(read_ccda(SAMPLES_DIR / "ccda" / "care-plan.xml")).export
    report = service.ingest(export)
    assert (report.members_stored, report.members_rejected) == (1, 0), report.issues
    care_plan = store.read("CarePlan", "plan-m200001").resource
    assert care_plan["subject"] == {"reference": "Patient/mbr-m200001"}
    goals = store.search("Goal", [("subject", "Patient/mbr-m200001")]).matches
    assert sorted(g.resource["description"]["text"] for g in goals) == [
        "Go back to my church choir on Sundays",
        "I want to keep living in my own apartment",
    ]
    requests = store.search("ServiceRequest", [("subject", "Patient/mbr-m200001")]).matches
    # Two LTSS services the LTS-C recommends, and the planned colonoscopy as planned care.
    assert sorted(r.resource["id"] for r in requests) == [
        "planned-m200001-sr-3",
        "servicerequest-m200001-sr-1",
        "servicerequest-m200001-sr-2",
    ]
