"""Referential integrity on writes (as HAPI FHIR enforces it): a local reference must resolve in
the written Bundle or in the store; ADAPTER_REFERENCE_INTEGRITY=0 relaxes it for migrations."""

from __future__ import annotations

from tests.api.http import post, put

TASK = {
    "resourceType": "Task",
    "id": "t-1",
    "status": "requested",
    "intent": "order",
    "focus": {"reference": "ServiceRequest/missing"},
}
REQUEST = {
    "resourceType": "ServiceRequest",
    "id": "missing",
    "status": "active",
    "intent": "order",
    "subject": {"reference": "Patient/p-1"},
}
PATIENT = {"resourceType": "Patient", "id": "p-1"}


def test_denied_alt_put_with_a_dangling_reference_is_refused_with_its_path(make_client):
    client = make_client(reference_integrity=1, validation_mode="warn")
    response = put(client, "Task/t-1", TASK)
    assert response.status_code == 422
    (issue,) = response.get_json()["issue"]
    assert (issue["code"], issue["expression"]) == ("not-found", ["Task.focus.reference"])
    assert put(client, "Patient/p-1", PATIENT).status_code == 201
    assert put(client, "ServiceRequest/missing", REQUEST).status_code == 201
    assert put(client, "Task/t-1", TASK).status_code == 201


def test_denied_alt_transaction_resolves_references_inside_the_bundle(make_client):
    client = make_client(reference_integrity=1, validation_mode="warn")
    entries = [
        {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
        for r in (TASK, REQUEST)
    ]
    refused = post(client, "", {"resourceType": "Bundle", "type": "transaction", "entry": entries})
    assert refused.status_code == 422
    assert "Patient/p-1" in refused.get_data(as_text=True)
    entries.append({"resource": PATIENT, "request": {"method": "PUT", "url": "Patient/p-1"}})
    stored = post(client, "", {"resourceType": "Bundle", "type": "transaction", "entry": entries})
    assert stored.status_code == 200


def test_denied_alt_reference_integrity_relaxed_stores_the_dangling_reference(make_client):
    client = make_client(reference_integrity=0, validation_mode="warn")
    assert put(client, "Task/t-1", TASK).status_code == 201
