"""Search over HTTP: parameters, modifiers, prefixes, paging, sorting, includes, handling."""

from __future__ import annotations

import pytest

from adapter.canonical import code_system_url
from tests.api.http import issue_codes, put
from tests.api.resources import (
    MEMBER_ID,
    care_plan,
    care_team,
    cc_role,
    patient,
    service_request,
    service_task,
)

AUTHORIZED = {
    "coding": [{"system": code_system_url("service-business-status"), "code": "authorized"}]
}


@pytest.fixture
def loaded(client):
    """Two members; M100001 with a care team, plan, service request and two Tasks."""
    for resource in (
        patient("M100001", "Santos"),
        patient("M100002", "Nguyen"),
        cc_role(),
        care_team("M100001"),
        care_plan("M100001"),
        service_request("SR-1"),
        service_task("SR-1", status="requested"),
        {**service_task("SR-2", status="completed"), "businessStatus": AUTHORIZED},
    ):
        assert (
            put(client, f"{resource['resourceType']}/{resource['id']}", resource).status_code == 201
        )
    return client


def search(client, path, **params):
    response = client.get(f"/fhir/{path}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(force=True)


def ids(bundle, mode="match"):
    return sorted(
        e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == mode
    )


def test_search_by_id_and_identifier(loaded):
    assert ids(search(loaded, "Patient", _id="mbr-m100002")) == ["mbr-m100002"]
    found = search(loaded, "Patient", identifier=f"{MEMBER_ID}|M100001")
    assert ids(found) == ["mbr-m100001"]
    assert found["total"] == 1
    assert search(loaded, "Patient", identifier="other-system|M100001")["total"] == 0


def test_searchset_bundle_has_absolute_full_urls_and_self_link(loaded):
    bundle = search(loaded, "Patient", family="Santos")
    assert bundle["type"] == "searchset"
    assert bundle["entry"][0]["fullUrl"] == "http://localhost/fhir/Patient/mbr-m100001"
    self_link = next(link["url"] for link in bundle["link"] if link["relation"] == "self")
    assert self_link.startswith("http://localhost/fhir/Patient?")
    assert "family=Santos" in self_link


def test_search_string_exact_modifier(loaded):
    assert ids(search(loaded, "Patient", family="sant")) == ["mbr-m100001"]
    assert search(loaded, "Patient", **{"family:exact": "sant"})["total"] == 0
    assert ids(search(loaded, "Patient", **{"family:exact": "Santos"})) == ["mbr-m100001"]


def test_search_task_by_status_owner_requester_and_focus(loaded):
    assert len(ids(search(loaded, "Task", status="requested"))) == 1
    assert search(loaded, "Task", owner="Organization/plan-cca-oc")["total"] == 2
    assert search(loaded, "Task", requester="PractitionerRole/role-cc-0001")["total"] == 2
    focus = "ServiceRequest/servicerequest-m100001-sr-1"
    assert ids(search(loaded, "Task", focus=focus)) == ["svc-m100001-sr-1-authorization"]


def test_search_task_by_code_token_and_patient(loaded):
    code = "http://hl7.org/fhir/CodeSystem/task-code|approve"
    assert search(loaded, "Task", code=code)["total"] == 2
    assert search(loaded, "Task", patient="Patient/mbr-m100001")["total"] == 2
    assert search(loaded, "Task", patient="Patient/mbr-m100002")["total"] == 0


def test_search_task_business_status_and_missing(loaded):
    assert search(loaded, "Task", **{"business-status": "authorized"})["total"] == 1
    assert search(loaded, "Task", **{"business-status:missing": "true"})["total"] == 1
    assert search(loaded, "Task", **{"business-status:missing": "false"})["total"] == 1


def test_search_date_prefixes(loaded):
    assert search(loaded, "Task", **{"authored-on": "ge2026-05-10"})["total"] == 2
    assert search(loaded, "Task", **{"authored-on": "gt2026-05-10"})["total"] == 0
    assert search(loaded, "Task", **{"authored-on": "lt2026-06-01"})["total"] == 2
    assert search(loaded, "CarePlan", date="le2026-03-01")["total"] == 1
    assert search(loaded, "Patient", _lastUpdated="gt2000-01-01")["total"] == 2
    assert search(loaded, "Patient", _lastUpdated="lt2000-01-01")["total"] == 0


def test_search_care_team_and_care_plan_references(loaded):
    team = search(loaded, "CareTeam", participant="PractitionerRole/role-cc-0001")
    assert ids(team) == ["team-m100001"]
    assert search(loaded, "CarePlan", subject="Patient/mbr-m100001", status="active")["total"] == 1
    assert search(loaded, "CarePlan", intent="plan", category="assess-plan")["total"] == 1


def test_search_service_request_intent_and_requester(loaded):
    found = search(
        loaded, "ServiceRequest", intent="proposal", requester="PractitionerRole/role-cc-0001"
    )
    assert ids(found) == ["servicerequest-m100001-sr-1"]
    assert search(loaded, "ServiceRequest", intent="order")["total"] == 0


def test_count_and_paging_links_walk_every_match(client):
    for n in range(7):
        put(client, f"Patient/p{n}", {**patient(f"M20000{n}"), "id": f"p{n}"})
    seen, url = [], "/fhir/Patient?_count=3&_sort=_id"
    while url:
        bundle = client.get(url).get_json(force=True)
        assert bundle["total"] == 7
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert seen == [f"p{n}" for n in range(7)]


def test_previous_link_on_a_later_page(client):
    for n in range(4):
        put(client, f"Patient/p{n}", {**patient(f"M20000{n}"), "id": f"p{n}"})
    first = client.get("/fhir/Patient?_count=2&_sort=_id").get_json(force=True)
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = client.get(next_url).get_json(force=True)
    assert any(link["relation"] == "previous" for link in second["link"])


def test_default_and_maximum_page_size_come_from_settings(client):
    for n in range(7):
        put(client, f"Patient/p{n}", {**patient(f"M20000{n}"), "id": f"p{n}"})
    assert len(client.get("/fhir/Patient").get_json(force=True)["entry"]) == 5
    many = client.get("/fhir/Patient?_count=500").get_json(force=True)
    assert len(many["entry"]) == 7  # capped at 20, fewer exist


def test_sort_descending(loaded):
    bundle = search(loaded, "Patient", _sort="-family")
    assert [e["resource"]["name"][0]["family"] for e in bundle["entry"]] == ["Santos", "Nguyen"]


def test_summary_count_returns_only_the_total(loaded):
    bundle = search(loaded, "Patient", _summary="count")
    assert bundle["total"] == 2
    assert "entry" not in bundle


def test_include_care_team_of_care_plan(loaded):
    bundle = search(loaded, "CarePlan", _include="CarePlan:care-team")
    assert ids(bundle) == ["plan-m100001"]
    assert ids(bundle, "include") == ["team-m100001"]


def test_include_service_request_of_task(loaded):
    bundle = search(loaded, "Task", _id="svc-m100001-sr-1-authorization", _include="Task:focus")
    assert ids(bundle, "include") == ["servicerequest-m100001-sr-1"]


def test_include_practitioner_role_of_care_team(loaded):
    bundle = search(loaded, "CareTeam", _include="CareTeam:participant")
    assert "role-cc-0001" in ids(bundle, "include")


def test_revinclude_care_plans_of_care_team(loaded):
    bundle = search(loaded, "CareTeam", _revinclude="CarePlan:care-team")
    assert ids(bundle, "include") == ["plan-m100001"]


def test_unknown_parameter_is_ignored_and_reported_when_lenient(loaded):
    bundle = search(loaded, "Patient", family="Santos", shoe_size="44")
    assert bundle["total"] == 1
    outcome = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert "shoe_size" in outcome[0]["resource"]["issue"][0]["diagnostics"]
    self_link = next(link["url"] for link in bundle["link"] if link["relation"] == "self")
    assert "shoe_size" not in self_link


def test_unknown_parameter_is_400_when_strict(loaded):
    response = loaded.get("/fhir/Patient?shoe_size=44", headers={"Prefer": "handling=strict"})
    assert response.status_code == 400
    assert issue_codes(response) == ["invalid"]


def test_bad_count_is_400(loaded):
    assert loaded.get("/fhir/Patient?_count=many").status_code == 400


def test_search_by_post(loaded):
    response = loaded.post(
        "/fhir/Patient/_search",
        data={"family": "Nguyen"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert ids(response.get_json(force=True)) == ["mbr-m100002"]


def test_paging_links_keep_the_format_choices(loaded):
    bundle = search(loaded, "Patient", _count="1", _pretty="true")
    next_link = next(link["url"] for link in bundle["link"] if link["relation"] == "next")
    assert "_pretty=true" in next_link
    assert b'\n  "' in loaded.get(next_link).data
