"""`POST /fhir`: atomic transactions with urn:uuid and conditional entries; batches per entry."""

from __future__ import annotations

import pytest

from tests.api.http import issue_codes, post, put
from tests.api.resources import MEMBER_ID, care_team, cc_role, patient

PATIENT_URN = "urn:uuid:5f0c7a4e-8d1b-4c3e-9a57-1b2c3d4e5f60"


def entry(resource, method="PUT", url=None, full_url=None, **request):
    url = url or f"{resource['resourceType']}/{resource['id']}"
    found = {"resource": resource, "request": {"method": method, "url": url, **request}}
    if full_url:
        found["fullUrl"] = full_url
    return found


def bundle(kind, *entries):
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def team_for_urn():
    team = care_team()
    team["subject"] = {"reference": PATIENT_URN}
    team["participant"][0]["member"] = {"reference": PATIENT_URN}
    return team


def test_transaction_resolves_urn_uuid_references(client):
    new_patient = {k: v for k, v in patient().items() if k != "id"}
    response = post(
        client,
        "",
        bundle(
            "transaction",
            entry(new_patient, "POST", "Patient", PATIENT_URN),
            entry(cc_role()),
            entry(team_for_urn()),
        ),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json(force=True)
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"][:3] for e in body["entry"]] == ["201", "201", "201"]
    patient_id = body["entry"][0]["response"]["location"].split("/")[1]
    team = client.get("/fhir/CareTeam/team-m100001").get_json(force=True)
    assert team["subject"]["reference"] == f"Patient/{patient_id}"


def test_transaction_without_trailing_slash_is_accepted(client):
    response = client.post(
        "/fhir", json=bundle("transaction", entry(patient())), content_type="application/fhir+json"
    )
    assert response.status_code == 200


def test_transaction_with_an_invalid_entry_stores_nothing(client):
    invalid = {k: v for k, v in patient("M100002").items() if k != "gender"}
    response = post(client, "", bundle("transaction", entry(patient()), entry(invalid)))
    assert response.status_code == 422
    expressions = [
        e for i in response.get_json(force=True)["issue"] for e in i.get("expression", [])
    ]
    assert "Bundle.entry[1].resource.gender" in expressions
    assert client.get("/fhir/Patient/mbr-m100001").status_code == 404


def test_transaction_is_atomic_when_the_store_refuses_an_entry(client):
    put(client, "Patient/mbr-m100002", patient("M100002"))
    stale = entry(patient("M100002", "Nguyen"), ifMatch='W/"9"')
    response = post(client, "", bundle("transaction", entry(patient()), stale))
    assert response.status_code == 412
    assert issue_codes(response) == ["conflict"]
    assert client.get("/fhir/Patient/mbr-m100001").status_code == 404


def test_transaction_honours_conditional_create(client):
    existing = post(client, "Patient", patient()).get_json(force=True)
    condition = f"identifier={MEMBER_ID}|M100001"
    new_patient = {k: v for k, v in patient().items() if k != "id"}
    response = post(
        client,
        "",
        bundle("transaction", entry(new_patient, "POST", "Patient", ifNoneExist=condition)),
    )
    assert response.status_code == 200
    only = response.get_json(force=True)["entry"][0]["response"]
    assert only["status"].startswith("200")
    assert existing["id"] in only["location"]
    assert client.get("/fhir/Patient").get_json(force=True)["total"] == 1


def test_transaction_honours_conditional_update(client):
    created = post(client, "Patient", patient()).get_json(force=True)
    url = f"Patient?identifier={MEMBER_ID}|M100001"
    changed = {k: v for k, v in patient(family="Souza").items() if k != "id"}
    response = post(client, "", bundle("transaction", entry(changed, "PUT", url)))
    assert response.status_code == 200
    assert (
        client.get(f"/fhir/Patient/{created['id']}").get_json(force=True)["name"][0]["family"]
        == "Souza"
    )


def test_batch_entries_succeed_or_fail_alone(client):
    invalid = {k: v for k, v in patient("M100002").items() if k != "gender"}
    response = post(
        client,
        "",
        bundle(
            "batch",
            entry(patient()),
            entry(invalid),
            {"request": {"method": "GET", "url": "Patient/nobody"}},
        ),
    )
    assert response.status_code == 200
    body = response.get_json(force=True)
    assert body["type"] == "batch-response"
    statuses = [e["response"]["status"][:3] for e in body["entry"]]
    assert statuses == ["201", "422", "404"]
    outcome = body["entry"][1]["response"]["outcome"]
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[1].resource.gender"]
    assert client.get("/fhir/Patient/mbr-m100001").status_code == 200
    assert client.get("/fhir/Patient/mbr-m100002").status_code == 404


def test_batch_in_warn_mode_stores_invalid_entries_and_returns_issues(make_client):
    client = make_client(validation_mode="warn")
    invalid = {k: v for k, v in patient("M100002").items() if k != "gender"}
    body = post(client, "", bundle("batch", entry(invalid))).get_json(force=True)
    assert body["entry"][0]["response"]["status"].startswith("201")
    assert body["entry"][0]["response"]["outcome"]["issue"][0]["severity"] == "error"


@pytest.mark.parametrize(
    "body",
    [
        patient(),
        {"resourceType": "Bundle", "type": "searchset", "entry": []},
        {"resourceType": "Bundle", "type": "transaction", "entry": {"not": "a list"}},
    ],
)
def test_base_post_needs_a_transaction_or_batch_bundle(client, body):
    response = post(client, "", body)
    assert response.status_code == 400
    assert issue_codes(response) == ["invalid"]
