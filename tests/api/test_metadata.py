"""The CapabilityStatement describes what is really served."""

from __future__ import annotations

import pytest

from adapter.api.served import RESOURCE_TYPES
from adapter.canonical import profile_url
from adapter.conformance import CONFORMANCE_TYPES

# Issue 4: the standard parameters that matter for each type must be served and declared.
REQUIRED_SEARCH = {
    "CarePlan": {
        "patient", "subject", "status", "category", "intent", "based-on", "part-of", "date",
    },
    "CareTeam": {"patient", "subject", "status", "category", "participant", "date"},
    "Task": {
        "patient", "subject", "status", "code", "intent", "owner", "requester", "focus",
        "based-on", "part-of", "authored-on", "period", "business-status",
    },
    "ServiceRequest": {
        "patient", "subject", "status", "code", "category", "intent", "requester", "performer",
        "based-on", "authored",
    },
    "Communication": {"patient", "subject", "status", "category", "based-on", "part-of"},
}  # fmt: skip


@pytest.fixture
def statement(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    return response.get_json(force=True)


def _resource(statement, resource_type):
    return next(r for r in statement["rest"][0]["resource"] if r["type"] == resource_type)


def test_metadata_is_a_fhir_r4_server_statement(statement):
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["kind"] == "instance"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["implementation"]["url"] == "http://localhost/fhir"
    assert statement["rest"][0]["mode"] == "server"


def test_metadata_lists_every_served_type_and_interaction(statement):
    # Subscription is served by its own routes (docs/exchange.md), after the stored types.
    served = [r["type"] for r in statement["rest"][0]["resource"]]
    assert served == [*RESOURCE_TYPES, "Subscription", *CONFORMANCE_TYPES]
    task = _resource(statement, "Task")
    codes = {i["code"] for i in task["interaction"]}
    assert codes == {
        "read", "vread", "update", "patch", "delete", "history-instance", "history-type",
        "create", "search-type",
    }  # fmt: skip
    assert task["versioning"] == "versioned-update"
    assert task["conditionalCreate"] is True
    assert task["conditionalUpdate"] is True
    assert task["conditionalDelete"] == "multiple"
    system = {i["code"] for i in statement["rest"][0]["interaction"]}
    assert system == {"transaction", "batch", "history-system"}


def test_metadata_lists_our_profiles(statement):
    task = _resource(statement, "Task")
    assert profile_url("ltsc-offer-task") in task["supportedProfile"]
    assert profile_url("ltss-service-task") in task["supportedProfile"]
    assert _resource(statement, "CareTeam")["supportedProfile"] == [
        profile_url("ltsc-careteam"),
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careteam",
    ]


@pytest.mark.parametrize("resource_type", sorted(REQUIRED_SEARCH))
def test_metadata_declares_the_search_parameters_that_matter(statement, resource_type):
    declared = {p["name"]: p for p in _resource(statement, resource_type)["searchParam"]}
    assert REQUIRED_SEARCH[resource_type] | {"_id", "_lastUpdated"} <= set(declared)
    assert declared["status"]["type"] == "token"
    assert declared["subject"]["definition"].startswith("http://hl7.org/fhir/SearchParameter/")


def test_metadata_declares_includes_validate_formats_and_security(statement):
    assert _resource(statement, "CarePlan")["searchInclude"][0] == "CarePlan:care-team"
    assert "CarePlan:subject" in _resource(statement, "CarePlan")["searchInclude"]
    assert _resource(statement, "ServiceRequest")["searchRevInclude"][0] == "Task:focus"
    assert {"name": "validate"}.items() <= statement["rest"][0]["operation"][0].items()
    assert {"application/fhir+json", "application/fhir+xml"} <= set(statement["format"])
    assert "security" in statement["rest"][0]


def test_metadata_in_xml(client):
    response = client.get("/fhir/metadata?_format=xml")
    assert response.status_code == 200
    assert b"<CapabilityStatement" in response.data


def test_metadata_declares_subscriptions_with_the_referral_topic(statement):
    subscription = _resource(statement, "Subscription")
    [topic] = subscription["extension"]
    assert topic["valueCanonical"].endswith("/SubscriptionTopic/referral-task-status")
    assert {o["name"] for o in subscription["operation"]} == {"status", "events"}


def test_metadata_declares_patch_bulk_export_everything_and_modifiers(statement):
    assert "application/json-patch+json" in statement["patchFormat"]
    assert statement["instantiates"] == [
        "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"
    ]
    assert "export" in {op["name"] for op in statement["rest"][0]["operation"]}
    patient = _resource(statement, "Patient")
    assert {"everything", "export"} <= {op["name"] for op in patient["operation"]}
    status = {p["name"]: p for p in _resource(statement, "Task")["searchParam"]}["status"]
    assert ":not" in status["documentation"] and ":text" in status["documentation"]
    assert "Task:patient" in patient["searchRevInclude"]
