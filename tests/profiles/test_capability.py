"""The CapabilityStatement lists the served types with our profiles and the server's abilities."""

from __future__ import annotations

from adapter.validation.definitions import load_base_r4
from tests.profiles.loading import PROFILES, profiles, read_json

CAPABILITY = read_json(PROFILES / "CapabilityStatement-ltsc-adapter.json")
REST = CAPABILITY["rest"][0]
SERVED = [
    "Patient",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "CareTeam",
    "CarePlan",
    "Goal",
    "Condition",
    "Task",
    "ServiceRequest",
    "Procedure",
    "Communication",
    "Consent",
    "Provenance",
    "MeasureReport",
]


def by_type():
    return {r["type"]: r for r in REST["resource"]}


def test_server_serves_the_resource_types_of_the_api():
    assert REST["mode"] == "server"
    assert [r["type"] for r in REST["resource"]] == SERVED


def test_every_profile_is_a_supported_profile_of_its_type():
    for sd in profiles():
        assert sd["url"] in by_type()[sd["type"]].get("supportedProfile", []), sd["id"]


def test_system_interactions_include_transaction_and_batch():
    assert {"transaction", "batch"} <= {i["code"] for i in REST["interaction"]}


def test_every_type_offers_validate_and_searches_known_parameters():
    definitions = load_base_r4()
    for resource_type, resource in by_type().items():
        assert "validate" in {op["name"] for op in resource["operation"]}
        known = {sp["url"]: sp for sp in definitions.search_parameters_for(resource_type)}
        for param in resource["searchParam"]:
            assert known[param["definition"]]["code"] == param["name"]
            assert known[param["definition"]]["type"] == param["type"]


def test_security_names_smart_backend_services():
    security = REST["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    assert "Backend Services" in security["description"]


def test_worklist_searches_exist_on_task():
    names = {p["name"] for p in by_type()["Task"]["searchParam"]}
    assert {"owner", "requester", "status", "business-status", "_lastUpdated"} <= names
