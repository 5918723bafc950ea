"""Transaction (atomic, ordered, references resolved) and batch (per-entry outcome) Bundles."""

from __future__ import annotations

import pytest

from adapter.errors import InvalidRequest, NotFound, PreconditionFailed

MEMBER_ID = "https://ltsc-adapter.org/fhir/NamingSystem/plan-member-id"
PATIENT_URN = "urn:uuid:6f1a8c1e-4c55-4a8e-9b1b-0d0a1f5c2a11"
TEAM_URN = "urn:uuid:0b7d2f34-1111-4c0b-8d55-2f6e9d7e3c22"


def bundle(kind, *entries):
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def post(resource, full_url=None, **request):
    entry = {
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"], **request},
    }
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def put(resource, url, full_url=None, **request):
    entry = {"resource": resource, "request": {"method": "PUT", "url": url, **request}}
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def member(value="M1", **extra):
    return {
        "resourceType": "Patient",
        "identifier": [{"system": MEMBER_ID, "value": value}],
        **extra,
    }


def care_team(subject_ref):
    return {
        "resourceType": "CareTeam",
        "status": "active",
        "subject": {"reference": subject_ref},
        "participant": [
            {
                "member": {"reference": subject_ref},
                "extension": [{"url": "x", "valueReference": {"reference": subject_ref}}],
            }
        ],
    }


def test_transaction_resolves_urn_uuid_references_everywhere(store):
    response = store.transaction(
        bundle(
            "transaction",
            post(care_team(PATIENT_URN), TEAM_URN),
            post(member(), PATIENT_URN),
            post(
                {
                    "resourceType": "CarePlan",
                    "status": "active",
                    "intent": "plan",
                    "subject": {"reference": PATIENT_URN},
                    "careTeam": [{"reference": TEAM_URN}],
                }
            ),
        )
    )
    assert response["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in response["entry"]]
    assert statuses == ["201 Created"] * 3
    team_location = response["entry"][0]["response"]["location"]
    patient_location = response["entry"][1]["response"]["location"]
    assert patient_location.startswith("Patient/") and patient_location.endswith("/_history/1")
    assert response["entry"][1]["response"]["etag"] == 'W/"1"'
    patient_ref = patient_location.split("/_history")[0]
    team = store.read("CareTeam", team_location.split("/")[1]).resource
    assert team["subject"]["reference"] == patient_ref
    assert team["participant"][0]["member"]["reference"] == patient_ref
    assert team["participant"][0]["extension"][0]["valueReference"]["reference"] == patient_ref
    found = store.search("CarePlan", [("patient", patient_ref), ("_include", "CarePlan:care-team")])
    assert found.total == 1
    assert [r.type for r in found.included] == ["CareTeam"]


def test_transaction_is_all_or_nothing(store):
    store.update("Patient", "mbr-m1", member())
    bad = bundle(
        "transaction",
        put(member("M2"), "Patient/mbr-m2"),
        put(member("M1", gender="male"), "Patient/mbr-m1", ifMatch='W/"7"'),
    )
    with pytest.raises(PreconditionFailed) as raised:
        store.transaction(bad)
    assert raised.value.outcome()["issue"][0]["expression"] == ["Bundle.entry[1]"]
    with pytest.raises(NotFound):
        store.read("Patient", "mbr-m2")
    assert store.read("Patient", "mbr-m1").version_id == "1"


def test_transaction_processes_deletes_before_creates_and_reads_last(store):
    store.update("Patient", "mbr-m1", member())
    response = store.transaction(
        bundle(
            "transaction",
            {"request": {"method": "GET", "url": "Patient?identifier=M1"}},
            post(member("M1")),
            {"request": {"method": "DELETE", "url": "Patient/mbr-m1"}},
        )
    )
    searchset = response["entry"][0]["resource"]
    assert searchset["total"] == 1
    created_id = response["entry"][1]["response"]["location"].split("/")[1]
    assert searchset["entry"][0]["resource"]["id"] == created_id
    assert response["entry"][2]["response"]["status"] == "204 No Content"


def test_transaction_if_none_exist_and_conditional_put(store):
    existing = store.update("Patient", "mbr-m1", member())
    response = store.transaction(
        bundle(
            "transaction",
            post(member(), PATIENT_URN, ifNoneExist=f"identifier={MEMBER_ID}|M1"),
            put(member("M2"), f"Patient?identifier={MEMBER_ID}|M2"),
            post(care_team(PATIENT_URN)),
        )
    )
    assert response["entry"][0]["response"]["status"] == "200 OK"
    assert response["entry"][0]["response"]["location"] == "Patient/mbr-m1/_history/1"
    assert response["entry"][1]["response"]["status"] == "201 Created"
    team_id = response["entry"][2]["response"]["location"].split("/")[1]
    assert store.read("CareTeam", team_id).resource["subject"]["reference"] == "Patient/mbr-m1"
    assert existing.version_id == store.read("Patient", "mbr-m1").version_id


def test_conditional_reference_needs_exactly_one_match(store):
    store.update("Patient", "mbr-m1", member())
    ok = store.transaction(
        bundle("transaction", post(care_team(f"Patient?identifier={MEMBER_ID}|M1")))
    )
    team_id = ok["entry"][0]["response"]["location"].split("/")[1]
    assert store.read("CareTeam", team_id).resource["subject"]["reference"] == "Patient/mbr-m1"
    with pytest.raises(PreconditionFailed):
        store.transaction(bundle("transaction", post(care_team("Patient?identifier=nobody"))))


def test_two_entries_with_the_same_target_are_refused(store):
    with pytest.raises(InvalidRequest) as raised:
        store.transaction(
            bundle(
                "transaction",
                put(member(), "Patient/mbr-m1"),
                {"request": {"method": "DELETE", "url": "Patient/mbr-m1"}},
            )
        )
    assert "both write Patient/mbr-m1" in raised.value.message
    assert store.history("Patient").total == 0


def test_unresolvable_urn_reference_is_refused(store):
    with pytest.raises(InvalidRequest):
        store.transaction(bundle("transaction", post(care_team(PATIENT_URN))))


def test_mapped_style_bundle_loads_twice_without_new_versions(store):
    mapped = bundle(
        "transaction",
        put({**member(), "id": "mbr-m1"}, "Patient/mbr-m1", PATIENT_URN),
        put({**care_team("Patient/mbr-m1"), "id": "team-m1"}, "CareTeam/team-m1", TEAM_URN),
    )
    first = store.transaction(mapped)
    again = store.transaction(mapped)
    assert [e["response"]["status"] for e in first["entry"]] == ["201 Created"] * 2
    assert [e["response"]["status"] for e in again["entry"]] == ["200 OK"] * 2
    assert [e["response"]["etag"] for e in again["entry"]] == ['W/"1"'] * 2


def test_put_body_id_must_match_url(store):
    with pytest.raises(InvalidRequest):
        store.transaction(bundle("transaction", put({**member(), "id": "other"}, "Patient/mbr-m1")))


def test_wrong_bundle_type_is_refused(store):
    with pytest.raises(InvalidRequest):
        store.transaction(bundle("batch"))
    with pytest.raises(InvalidRequest):
        store.batch({"resourceType": "Patient"})


def test_batch_entries_succeed_or_fail_alone(store):
    store.update("Patient", "mbr-m1", member())
    response = store.batch(
        bundle(
            "batch",
            put(member("M2"), "Patient/mbr-m2"),
            put(member("M1", gender="male"), "Patient/mbr-m1", ifMatch='W/"9"'),
            {"request": {"method": "GET", "url": "Patient/nobody"}},
            {"request": {"method": "PATCH", "url": "Patient/mbr-m1"}},
            {"request": {"method": "GET", "url": "Patient/mbr-m2"}},
        )
    )
    assert response["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in response["entry"]]
    assert statuses == [
        "201 Created",
        "412 Precondition Failed",
        "404 Not Found",
        "405 Method Not Allowed",
        "200 OK",
    ]
    outcome = response["entry"][1]["response"]["outcome"]
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[1]"]
    assert response["entry"][3]["response"]["outcome"]["issue"][0]["expression"] == [
        "Bundle.entry[3]"
    ]
    assert store.read("Patient", "mbr-m2").version_id == "1"
    assert store.read("Patient", "mbr-m1").version_id == "1"


def test_absolute_request_urls_and_post_with_id(store):
    response = store.transaction(
        bundle("transaction", put(member(), "https://fhir.example.org/base/Patient/mbr-m1"))
    )
    assert response["entry"][0]["response"]["location"] == "Patient/mbr-m1/_history/1"
    with pytest.raises(InvalidRequest) as raised:
        store.transaction(
            bundle(
                "transaction",
                {"resource": member(), "request": {"method": "POST", "url": "Patient/x"}},
            )
        )
    assert raised.value.outcome()["issue"][0]["expression"] == ["Bundle.entry[0]"]


def test_entry_resource_errors_point_into_the_entry(store):
    with pytest.raises(InvalidRequest) as raised:
        store.transaction(
            bundle("transaction", put(member(), "Patient/mbr-m1"), put(member(), "Task/t1"))
        )
    assert raised.value.outcome()["issue"][0]["expression"] == [
        "Bundle.entry[1].resource.resourceType"
    ]
