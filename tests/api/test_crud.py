"""Read, vread, create, update, delete and history over HTTP, with versions and preferences."""

from __future__ import annotations

from tests.api.http import issue_codes, post, put
from tests.api.resources import patient, plan_organization

MEMBER_SYSTEM = patient()["identifier"][0]["system"]


def test_create_assigns_id_and_returns_location_etag_last_modified(client):
    response = post(client, "Patient", patient())
    assert response.status_code == 201
    body = response.get_json(force=True)
    assert body["id"] != "mbr-m100001"  # create always assigns a new id
    assert body["meta"]["versionId"] == "1"
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"].endswith(f"/fhir/Patient/{body['id']}/_history/1")
    assert response.headers["Location"].startswith("http://localhost/")
    assert "GMT" in response.headers["Last-Modified"]
    assert response.content_type == "application/fhir+json; charset=utf-8"


def test_read_returns_current_version_with_etag(client):
    put(client, "Patient/mbr-m100001", patient())
    response = client.get("/fhir/Patient/mbr-m100001")
    assert response.status_code == 200
    assert response.get_json(force=True)["name"][0]["family"] == "Santos"
    assert response.headers["ETag"] == 'W/"1"'


def test_read_unknown_resource_is_404_operation_outcome(client):
    response = client.get("/fhir/Patient/nobody")
    assert response.status_code == 404
    assert issue_codes(response) == ["not-found"]


def test_read_unserved_type_is_404(client):
    response = client.get("/fhir/Medication/x")
    assert response.status_code == 404
    assert "not served" in response.get_json(force=True)["issue"][0]["diagnostics"]


def test_read_with_matching_if_none_match_is_304(client):
    put(client, "Patient/mbr-m100001", patient())
    response = client.get("/fhir/Patient/mbr-m100001", headers={"If-None-Match": 'W/"1"'})
    assert response.status_code == 304
    assert response.data == b""


def test_invalid_id_in_url_is_400(client):
    response = client.get("/fhir/Patient/" + "x" * 65)
    assert response.status_code == 400
    assert issue_codes(response) == ["invalid"]


def test_update_creates_then_versions(client):
    first = put(client, "Patient/mbr-m100001", patient())
    assert first.status_code == 201
    assert first.headers["Location"].endswith("/fhir/Patient/mbr-m100001/_history/1")
    second = put(client, "Patient/mbr-m100001", patient(family="Souza"))
    assert second.status_code == 200
    assert second.headers["ETag"] == 'W/"2"'
    assert second.get_json(force=True)["meta"]["versionId"] == "2"


def test_update_with_same_content_is_unchanged(client):
    put(client, "Patient/mbr-m100001", patient())
    again = put(client, "Patient/mbr-m100001", patient())
    assert again.status_code == 200
    assert again.headers["ETag"] == 'W/"1"'


def test_update_id_must_match_url(client):
    response = put(client, "Patient/other", patient())
    assert response.status_code == 400
    body = response.get_json(force=True)
    assert body["issue"][0]["expression"] == ["Patient.id"]


def test_update_body_of_another_type_is_400(client):
    response = put(client, "Patient/mbr-m100001", plan_organization())
    assert response.status_code == 400
    assert issue_codes(response) == ["invalid"]


def test_update_with_current_if_match_succeeds(client):
    put(client, "Patient/mbr-m100001", patient())
    response = put(
        client, "Patient/mbr-m100001", patient(family="Souza"), headers={"If-Match": 'W/"1"'}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'


def test_update_with_stale_if_match_is_412(client):
    put(client, "Patient/mbr-m100001", patient())
    put(client, "Patient/mbr-m100001", patient(family="Souza"))
    response = put(
        client, "Patient/mbr-m100001", patient(family="Silva"), headers={"If-Match": 'W/"1"'}
    )
    assert response.status_code == 412
    assert issue_codes(response) == ["conflict"]
    assert client.get("/fhir/Patient/mbr-m100001").get_json(force=True)["name"][0]["family"] == (
        "Souza"
    )


def test_vread_returns_each_version(client):
    put(client, "Patient/mbr-m100001", patient())
    put(client, "Patient/mbr-m100001", patient(family="Souza"))
    first = client.get("/fhir/Patient/mbr-m100001/_history/1")
    assert first.status_code == 200
    assert first.get_json(force=True)["name"][0]["family"] == "Santos"
    assert first.headers["ETag"] == 'W/"1"'
    assert client.get("/fhir/Patient/mbr-m100001/_history/9").status_code == 404


def test_delete_then_read_is_410_and_history_keeps_the_delete(client):
    put(client, "Patient/mbr-m100001", patient())
    deleted = client.delete("/fhir/Patient/mbr-m100001")
    assert deleted.status_code == 204
    gone = client.get("/fhir/Patient/mbr-m100001")
    assert gone.status_code == 410
    assert issue_codes(gone) == ["deleted"]
    history = client.get("/fhir/Patient/mbr-m100001/_history").get_json(force=True)
    assert history["type"] == "history"
    assert [e["request"]["method"] for e in history["entry"]] == ["DELETE", "POST"]


def test_delete_twice_is_fine(client):
    put(client, "Patient/mbr-m100001", patient())
    client.delete("/fhir/Patient/mbr-m100001")
    assert client.delete("/fhir/Patient/mbr-m100001").status_code == 204


def test_delete_with_stale_if_match_is_412(client):
    put(client, "Patient/mbr-m100001", patient())
    put(client, "Patient/mbr-m100001", patient(family="Souza"))
    response = client.delete("/fhir/Patient/mbr-m100001", headers={"If-Match": 'W/"1"'})
    assert response.status_code == 412


def test_conditional_create_returns_existing_match(client):
    condition = {"If-None-Exist": f"identifier={MEMBER_SYSTEM}|M100001"}
    first = post(client, "Patient", patient(), headers=condition)
    second = post(client, "Patient", patient(), headers=condition)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json(force=True)["id"] == first.get_json(force=True)["id"]
    search = client.get("/fhir/Patient", query_string={"identifier": f"{MEMBER_SYSTEM}|M100001"})
    assert search.get_json(force=True)["total"] == 1


def test_conditional_create_with_several_matches_is_412(client):
    post(client, "Patient", patient())
    post(client, "Patient", patient())
    condition = {"If-None-Exist": f"identifier={MEMBER_SYSTEM}|M100001"}
    assert post(client, "Patient", patient(), headers=condition).status_code == 412


def test_conditional_update_creates_then_updates_the_match(client):
    query = f"?identifier={MEMBER_SYSTEM}|M100001"
    created = put(client, "Patient" + query, patient())
    assert created.status_code == 201
    updated = put(client, "Patient" + query, patient(family="Souza"))
    assert updated.status_code == 200
    assert updated.get_json(force=True)["id"] == created.get_json(force=True)["id"]


def test_conditional_update_needs_criteria(client):
    assert put(client, "Patient", patient()).status_code == 400


def test_prefer_return_minimal_has_no_body(client):
    response = post(client, "Patient", patient(), headers={"Prefer": "return=minimal"})
    assert response.status_code == 201
    assert response.data == b""
    assert "Location" in response.headers


def test_prefer_return_operation_outcome(client):
    response = post(client, "Patient", patient(), headers={"Prefer": "return=OperationOutcome"})
    assert response.status_code == 201
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"


def test_instance_type_and_system_history(client):
    put(client, "Patient/mbr-m100001", patient())
    put(client, "Patient/mbr-m100001", patient(family="Souza"))
    put(client, "Organization/plan-cca-oc", plan_organization())
    instance = client.get("/fhir/Patient/mbr-m100001/_history").get_json(force=True)
    assert [e["resource"]["meta"]["versionId"] for e in instance["entry"]] == ["2", "1"]
    assert instance["entry"][0]["fullUrl"] == "http://localhost/fhir/Patient/mbr-m100001"
    by_type = client.get("/fhir/Patient/_history").get_json(force=True)
    assert by_type["total"] == 2
    system = client.get("/fhir/_history").get_json(force=True)
    assert system["total"] == 3


def test_history_pages_with_count_and_offset(client):
    for family in ("A", "B", "C"):
        put(client, "Patient/mbr-m100001", patient(family=family))
    page = client.get("/fhir/Patient/mbr-m100001/_history?_count=2").get_json(force=True)
    assert len(page["entry"]) == 2
    next_link = next(link["url"] for link in page["link"] if link["relation"] == "next")
    rest = client.get(next_link).get_json(force=True)
    assert [e["resource"]["name"][0]["family"] for e in rest["entry"]] == ["A"]


def test_history_since_filters_older_versions(client):
    put(client, "Patient/mbr-m100001", patient())
    response = client.get("/fhir/Patient/_history?_since=2999-01-01T00:00:00Z")
    assert response.get_json(force=True)["total"] == 0
    assert client.get("/fhir/Patient/_history?_since=yesterday").status_code == 400


def test_history_of_unknown_resource_is_404(client):
    assert client.get("/fhir/Patient/nobody/_history").status_code == 404
