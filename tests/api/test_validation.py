"""Writes are validated against our profiles (422, or stored with issues when warned); $validate."""

from __future__ import annotations

from adapter.canonical import profile_url
from tests.api.http import issue_codes, post, put
from tests.api.resources import care_plan, patient, service_request


def without(resource, key):
    return {k: v for k, v in resource.items() if k != key}


def expressions(response):
    return [
        e for issue in response.get_json(force=True)["issue"] for e in issue.get("expression", [])
    ]


def diagnostics(response):
    return " ".join(i["diagnostics"] for i in response.get_json(force=True)["issue"])


def test_invalid_create_is_422_with_fhirpath_expressions(client):
    response = post(client, "Patient", without(patient(), "gender"))
    assert response.status_code == 422
    assert "Patient.gender" in expressions(response)
    assert client.get("/fhir/Patient").get_json(force=True)["total"] == 0


def test_invalid_update_is_422_and_keeps_the_old_version(client):
    put(client, "Patient/mbr-m100001", patient())
    response = put(client, "Patient/mbr-m100001", without(patient(), "name"))
    assert response.status_code == 422
    assert client.get("/fhir/Patient/mbr-m100001").headers["ETag"] == 'W/"1"'


def test_care_plan_without_care_team_is_422_team_discretion(client):
    response = put(client, "CarePlan/plan-m100001", without(care_plan(), "careTeam"))
    assert response.status_code == 422
    assert "CarePlan.careTeam" in expressions(response)
    assert "onecare-careplan-1" in diagnostics(response)


def test_recommendation_without_requester_is_422_recommend(client):
    response = put(
        client, f"ServiceRequest/{service_request()['id']}", without(service_request(), "requester")
    )
    assert response.status_code == 422
    assert "invariant" in issue_codes(response)
    assert "ltss-sr-1" in diagnostics(response)


def test_warn_mode_stores_and_returns_the_issues(make_client):
    client = make_client(validation_mode="warn")
    response = post(
        client,
        "Patient",
        without(patient(), "gender"),
        headers={"Prefer": "return=OperationOutcome"},
    )
    assert response.status_code == 201
    assert "Patient.gender" in expressions(response)
    assert client.get("/fhir/Patient").get_json(force=True)["total"] == 1


def test_off_mode_stores_without_profile_checks(make_client):
    client = make_client(validation_mode="off")
    assert post(client, "Patient", without(patient(), "gender")).status_code == 201


def test_validate_type_level_reports_issues_with_200(client):
    response = post(client, "Patient/$validate", without(patient(), "gender"))
    assert response.status_code == 200
    assert "Patient.gender" in expressions(response)
    assert client.get("/fhir/Patient").get_json(force=True)["total"] == 0


def test_validate_type_level_accepts_parameters_with_profile(client):
    plain = without(patient(), "meta")
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "resource", "resource": without(plain, "identifier")},
            {"name": "profile", "valueUri": profile_url("onecare-patient")},
        ],
    }
    checked = post(client, "Patient/$validate", parameters)
    assert checked.status_code == 200
    assert any(e.startswith("Patient.identifier") for e in expressions(checked))
    assert not any(
        e.startswith("Patient.identifier")
        for e in expressions(post(client, "Patient/$validate", without(plain, "identifier")))
    )


def test_validate_valid_resource_has_no_errors(client):
    response = post(client, "Patient/$validate", patient())
    severities = {i["severity"] for i in response.get_json(force=True)["issue"]}
    assert severities <= {"information", "warning"}


def test_validate_instance_level_checks_the_stored_version(client):
    put(client, "Patient/mbr-m100001", patient())
    stored = client.get("/fhir/Patient/mbr-m100001/$validate")
    assert stored.status_code == 200
    sent = post(client, "Patient/mbr-m100001/$validate", without(patient(), "gender"))
    assert "Patient.gender" in expressions(sent)


def test_validate_instance_of_unknown_resource_is_404(client):
    assert client.get("/fhir/Patient/nobody/$validate").status_code == 404


def test_validate_body_of_another_type_is_400(client):
    assert post(client, "CarePlan/$validate", patient()).status_code == 400


def test_validate_unknown_mode_is_400(client):
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "resource", "resource": patient()},
            {"name": "mode", "valueCode": "x"},
        ],
    }
    assert post(client, "Patient/$validate", parameters).status_code == 400
