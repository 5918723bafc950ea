"""Search completeness: chains, `_has`, `:iterate`, `_elements`, `_summary`, `_total`,
`:missing`, `:not`, `:text`, `:above`/`:below`, several `_sort` keys, strict and lenient."""

from __future__ import annotations

import pytest

from adapter.canonical import identifier_system
from tests.api.http import issue_codes, put
from tests.api.resources import plan_organization
from tests.api.test_search import AUTHORIZED, ids, loaded, search  # noqa: F401

PLAN_ID = identifier_system("plan-id")


@pytest.fixture
def linked(loaded):  # noqa: F811
    organization = plan_organization()
    assert put(loaded, f"Organization/{organization['id']}", organization).status_code == 201
    return loaded


def test_forward_chain_on_a_typed_reference(linked):
    found = search(linked, "CareTeam", **{"participant:PractitionerRole.organization.identifier":
                                           f"{PLAN_ID}|CCA-OC"})  # fmt: skip
    assert ids(found) == ["team-m100001"]
    none = search(linked, "CareTeam", **{"participant:PractitionerRole.organization.identifier":
                                          f"{PLAN_ID}|OTHER"})  # fmt: skip
    assert none["total"] == 0


def test_forward_chain_without_a_type_tries_every_target(linked):
    assert ids(search(linked, "Task", **{"patient.family": "Santos"})) == [
        "svc-m100001-sr-1-authorization",
        "svc-m100001-sr-2-authorization",
    ]
    assert search(linked, "Task", **{"patient.family": "Nguyen"})["total"] == 0


def test_reverse_chain_has(linked):
    assert ids(search(linked, "Patient", **{"_has:Task:patient:status": "requested"})) == [
        "mbr-m100001"
    ]
    assert search(linked, "Patient", **{"_has:Task:patient:status": "cancelled"})["total"] == 0
    nested = {"_has:CareTeam:patient:_has:CarePlan:care-team:status": "active"}
    assert ids(search(linked, "Patient", **nested)) == ["mbr-m100001"]


def test_include_iterate_follows_included_resources(linked):
    plain = search(linked, "CarePlan", _include="CarePlan:care-team")
    assert ids(plain, "include") == ["team-m100001"]
    found = linked.get(
        "/fhir/CarePlan?_include=CarePlan:care-team"
        "&_include:iterate=CareTeam:participant&_include:iterate=PractitionerRole:organization"
    ).get_json(force=True)
    assert ids(found, "include") == ["mbr-m100001", "plan-cca-oc", "role-cc-0001", "team-m100001"]
    rev = linked.get(
        "/fhir/Patient?_id=mbr-m100001&_revinclude=CareTeam:patient"
        "&_revinclude:iterate=CarePlan:care-team"
    ).get_json(force=True)
    assert ids(rev, "include") == ["plan-m100001", "team-m100001"]


def test_missing_and_not_modifiers(linked):
    assert ids(search(linked, "Patient", **{"telecom:missing": "true"})) == [
        "mbr-m100001",
        "mbr-m100002",
    ]
    assert search(linked, "Patient", **{"name:missing": "false"})["total"] == 2
    not_requested = search(linked, "Task", **{"status:not": "requested"})
    assert ids(not_requested) == ["svc-m100001-sr-2-authorization"]


def test_text_modifier_matches_display_and_text(linked):
    task = search(linked, "Task", _id="svc-m100001-sr-1-authorization")["entry"][0]["resource"]
    task["businessStatus"] = {**AUTHORIZED, "text": "Waiting for the vendor"}
    assert put(linked, f"Task/{task['id']}", task).status_code == 200
    assert ids(search(linked, "Task", **{"business-status:text": "vendor"})) == [task["id"]]
    assert ids(search(linked, "Task", **{"business-status:text": "WAITING"})) == [task["id"]]
    assert search(linked, "Task", **{"business-status:text": "endor"})["total"] == 0


def test_uri_above_and_below(linked, store):
    protocol = "https://ltsc-adapter.org/fhir/PlanDefinition/one-care/v2"
    plan = store.read("CarePlan", "plan-m100001").resource
    store.update("CarePlan", plan["id"], {**plan, "instantiatesUri": [protocol]})
    below = search(
        linked, "CarePlan", **{"instantiates-uri:below": "https://ltsc-adapter.org/fhir"}
    )
    assert ids(below) == ["plan-m100001"]
    above = search(linked, "CarePlan", **{"instantiates-uri:above": f"{protocol}/section/3"})
    assert ids(above) == ["plan-m100001"]
    elsewhere = {"instantiates-uri:above": "https://ltsc-adapter.org/fhir/PlanDefinition/x"}
    assert search(linked, "CarePlan", **elsewhere)["total"] == 0


def test_sort_on_several_keys(linked):
    found = search(linked, "Task", _sort="status,-_id")
    assert ids(found) == sorted(ids(found))  # ids() sorts; check the real order below
    order = [e["resource"]["id"] for e in found["entry"]]
    assert order == ["svc-m100001-sr-2-authorization", "svc-m100001-sr-1-authorization"]
    reverse = search(linked, "Task", _sort="-status,_id")
    assert [e["resource"]["id"] for e in reverse["entry"]] == order[::-1]


def test_total_none_omits_the_count_but_pages_on(linked):
    found = search(linked, "Patient", _total="none", _count="1")
    assert "total" not in found
    assert any(link["relation"] == "next" for link in found["link"])
    assert search(linked, "Patient", _total="accurate")["total"] == 2
    assert linked.get("/fhir/Patient?_total=maybe").status_code == 400


def test_elements_and_summary_on_search(linked):
    found = search(linked, "Patient", _elements="name", _id="mbr-m100001")
    resource = found["entry"][0]["resource"]
    assert set(resource) == {"resourceType", "id", "meta", "name"}
    assert {"code": "SUBSETTED"}.items() <= resource["meta"]["tag"][0].items()
    summary = search(linked, "Patient", _summary="true")["entry"][0]["resource"]
    assert "birthDate" in summary and "name" in summary
    data = search(linked, "CarePlan", _summary="data")["entry"][0]["resource"]
    assert "text" not in data
    assert linked.get("/fhir/Patient?_summary=all").status_code == 400


def test_elements_and_summary_on_read(linked):
    read = linked.get("/fhir/Patient/mbr-m100001?_elements=gender").get_json(force=True)
    assert set(read) == {"resourceType", "id", "meta", "gender"}
    text = linked.get("/fhir/CarePlan/plan-m100001?_summary=text").get_json(force=True)
    assert "status" in text and "intent" in text and "subject" in text  # mandatory
    assert "careTeam" not in text
    assert linked.get("/fhir/Patient/mbr-m100001?_summary=count").status_code == 400


def test_unknown_modifier_or_chain_is_400_when_strict_and_reported_when_lenient(linked):
    strict = {"Prefer": "handling=strict"}
    for query in ("Patient?name:sounds=x", "Task?patient.nothing=1", "Patient?_has:Task:x:y=1"):
        refused = linked.get(f"/fhir/{query}", headers=strict)
        assert refused.status_code == 400, query
        assert issue_codes(refused) == ["invalid"]
        lenient = linked.get(f"/fhir/{query}").get_json(force=True)
        outcome = [e for e in lenient["entry"] if e["search"]["mode"] == "outcome"]
        assert outcome and outcome[0]["resource"]["issue"][0]["code"] == "not-supported"
        assert all(link["url"].count("nothing") == 0 for link in lenient["link"])


def test_conditional_delete_single_multiple_and_none(linked):
    assert linked.delete("/fhir/Task?status=cancelled").status_code == 200  # nothing matched
    response = linked.delete("/fhir/Task?patient=Patient/mbr-m100001")
    assert response.status_code == 204
    assert search(linked, "Task")["total"] == 0
    assert linked.delete("/fhir/Task?unknown=1").status_code == 400  # never widens to all
    assert linked.delete("/fhir/Task").status_code == 400
    assert search(linked, "Patient")["total"] == 2


def test_elements_in_a_post_search_body(linked):
    response = linked.post(
        "/fhir/Patient/_search",
        data={"_elements": "gender", "_id": "mbr-m100002"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    resource = response.get_json(force=True)["entry"][0]["resource"]
    assert set(resource) == {"resourceType", "id", "meta", "gender"}
