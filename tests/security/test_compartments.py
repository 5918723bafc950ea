"""TEAM-DISCRETION compartments on every path: one CBO never reaches another CBO's data."""

from __future__ import annotations

import orjson

from adapter.security import AccessPolicy, Principal
from tests.security.conftest import (
    DENIED_MEMBER,
    MBIL_MEMBER,
    MBIL_SERVICE,
    MBIL_TASK,
    MRLC_MEMBER,
    MRLC_TASK,
    cbo_task,
)

FHIR_JSON = "application/fhir+json"


def _cbo(org_id: str) -> Principal:
    return Principal("t", f"dev-cbo-{org_id.lower()}", "cbo", org_id, frozenset({"system/*.rs"}))


def _post_bundle(world, kind: str, bundle: dict):
    headers = {**world.headers(kind), "Content-Type": FHIR_JSON}
    return world.client().post("/fhir", data=orjson.dumps(bundle), headers=headers)


def _put_entry(resource: dict) -> dict:
    url = f"{resource['resourceType']}/{resource['id']}"
    return {"fullUrl": url, "resource": resource, "request": {"method": "PUT", "url": url}}


def test_team_discretion_cbo_sees_members_its_ltsc_serves_with_consent(world):
    members = AccessPolicy(world.store).member_ids(_cbo("MBIL"))
    assert MBIL_MEMBER in members
    assert MRLC_MEMBER not in members


def test_team_discretion_latest_consent_deny_hides_the_member(world):
    # M100018's LTS-C is MBIL's, but the member's latest Consent denies sharing.
    assert DENIED_MEMBER not in AccessPolicy(world.store).member_ids(_cbo("MBIL"))


def test_plan_sees_all_its_members(world):
    plan = Principal("t", "dev-plan", "plan", "CCA-OC", frozenset({"system/*.rs"}))
    members = AccessPolicy(world.store).member_ids(plan)
    assert {MBIL_MEMBER, MRLC_MEMBER, DENIED_MEMBER} <= members


def test_other_cbos_task_by_id_reads_like_a_missing_one(world):
    http, headers = world.client(), world.headers("cbo_b")
    hidden = http.get(f"/fhir/Task/{MBIL_TASK}", headers=headers)
    missing = http.get("/fhir/Task/no-such-task", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    hidden_text = hidden.get_json()["issue"][0]["diagnostics"]
    missing_text = missing.get_json()["issue"][0]["diagnostics"]
    assert hidden_text.replace(MBIL_TASK, "X") == missing_text.replace("no-such-task", "X")


def test_other_cbos_task_by_search_is_not_found(world):
    http, headers = world.client(), world.headers("cbo_b")
    for query in (
        f"_id={MBIL_TASK}",
        "owner=Organization/cbo-mbil",
        f"patient=Patient/{MBIL_MEMBER}",
    ):
        bundle = http.get(f"/fhir/Task?{query}", headers=headers).get_json()
        assert bundle["total"] == 0, query
        assert "entry" not in bundle, query


def test_cbo_search_lists_only_its_own_tasks(world):
    bundle = world.client().get("/fhir/Task?_count=50", headers=world.headers("cbo_b")).get_json()
    ids = [e["resource"]["id"] for e in bundle["entry"]]
    # Its own: the service Task, and the LTS-C referrals the members' offers sent it.
    assert MRLC_TASK in ids
    referrals = [e["resource"] for e in bundle["entry"] if e["resource"]["id"] != MRLC_TASK]
    assert {r["owner"]["reference"] for r in referrals} == {"Organization/cbo-mrlc"}
    assert all(r["id"].startswith("referral-") for r in referrals)
    assert bundle["total"] == len(ids)


def test_other_cbos_task_never_arrives_by_include_or_revinclude(world):
    http = world.client()
    own = http.get(
        f"/fhir/ServiceRequest?_id={MBIL_SERVICE}&_revinclude=Task:focus",
        headers=world.headers("cbo_a"),
    ).get_json()
    ids = {e["resource"]["id"] for e in own["entry"]}
    assert MBIL_TASK in ids  # its own Task, focused on its own ServiceRequest
    assert MRLC_TASK not in ids  # the other CBO's Task on the same ServiceRequest
    other = http.get("/fhir/Task?_include=Task:focus", headers=world.headers("cbo_b")).get_json()
    included = {e["resource"]["id"] for e in other["entry"] if e["search"]["mode"] == "include"}
    assert MBIL_SERVICE not in included  # performed by MBIL, not by MRLC


def test_paging_links_carry_only_the_clients_own_parameters(world):
    bundle = world.client().get("/fhir/Patient?_count=1", headers=world.headers("cbo_a")).get_json()
    assert bundle["total"] >= 2
    text = orjson.dumps(bundle).decode()
    assert "_id=" not in text
    assert MRLC_MEMBER not in text
    assert DENIED_MEMBER not in text


def test_history_of_another_cbos_task_is_not_found(world):
    http, headers = world.client(), world.headers("cbo_b")
    assert http.get(f"/fhir/Task/{MBIL_TASK}/_history", headers=headers).status_code == 404
    assert http.get("/fhir/Task/_history", headers=headers).status_code == 403
    assert http.get("/fhir/_history", headers=headers).status_code == 403


def test_validate_does_not_read_another_cbos_task(world):
    http, headers = world.client(), world.headers("cbo_b")
    assert http.post(f"/fhir/Task/{MBIL_TASK}/$validate", headers=headers).status_code == 404


def test_transaction_with_another_cbos_task_fails_whole(fresh_world):
    own = cbo_task(MRLC_TASK, MRLC_MEMBER, "PractitionerRole/role-ltsc-0016")
    own["note"] = [{"text": "Called the member"}]
    stolen = cbo_task(MBIL_TASK, MBIL_MEMBER, "Organization/cbo-mrlc")
    bundle = {"resourceType": "Bundle", "type": "transaction"}
    bundle["entry"] = [_put_entry(own), _put_entry(stolen)]
    response = _post_bundle(fresh_world, "cbo_b", bundle)
    assert response.status_code == 403
    assert response.get_json()["issue"][0]["expression"] == ["Bundle.entry[1]"]
    assert "note" not in fresh_world.store.read("Task", MRLC_TASK).resource
    assert fresh_world.store.read("Task", MBIL_TASK).resource["owner"] == {
        "reference": "Organization/cbo-mbil"
    }


def test_batch_refuses_only_the_foreign_entry(fresh_world):
    own = cbo_task(MRLC_TASK, MRLC_MEMBER, "PractitionerRole/role-ltsc-0016")
    own["note"] = [{"text": "Called the member"}]
    stolen = cbo_task(MBIL_TASK, MBIL_MEMBER, "Organization/cbo-mrlc")
    bundle = {"resourceType": "Bundle", "type": "batch"}
    bundle["entry"] = [_put_entry(own), _put_entry(stolen)]
    response = _post_bundle(fresh_world, "cbo_b", bundle)
    assert response.status_code == 200
    statuses = [e["response"]["status"] for e in response.get_json()["entry"]]
    assert statuses[0].startswith("200")
    assert statuses[1].startswith("403")
    assert fresh_world.store.read("Task", MRLC_TASK).resource["note"]
    assert fresh_world.store.read("Task", MBIL_TASK).resource["owner"]["reference"].endswith("mbil")


def test_cbo_cannot_hand_its_task_to_another_cbo(fresh_world):
    moved = cbo_task(MBIL_TASK, MBIL_MEMBER, "Organization/cbo-mrlc")
    headers = {**fresh_world.headers("cbo_a"), "Content-Type": FHIR_JSON}
    response = fresh_world.client().put(
        f"/fhir/Task/{MBIL_TASK}", data=orjson.dumps(moved), headers=headers
    )
    assert response.status_code == 403


def test_cbo_never_writes_patients_or_care_teams(fresh_world):
    headers = {**fresh_world.headers("cbo_a"), "Content-Type": FHIR_JSON}
    http = fresh_world.client()
    for rtype, rid in (("Patient", MBIL_MEMBER), ("CareTeam", "team-m100016")):
        body = fresh_world.copy_of(rtype, rid, rid)
        assert (
            http.put(f"/fhir/{rtype}/{rid}", data=orjson.dumps(body), headers=headers).status_code
            == 403
        )


def test_conditional_create_does_not_match_another_cbos_task(fresh_world):
    mine = cbo_task("ignored", MRLC_MEMBER, "Organization/cbo-mrlc")
    del mine["id"]
    headers = {
        **fresh_world.headers("cbo_b"),
        "Content-Type": FHIR_JSON,
        "If-None-Exist": f"_id={MBIL_TASK}",
    }
    response = fresh_world.client().post("/fhir/Task", data=orjson.dumps(mine), headers=headers)
    assert response.status_code == 201
    assert response.get_json()["id"] != MBIL_TASK


def test_conditional_update_does_not_reach_another_cbos_task(fresh_world):
    mine = cbo_task("cond-task", MRLC_MEMBER, "Organization/cbo-mrlc")
    headers = {**fresh_world.headers("cbo_b"), "Content-Type": FHIR_JSON}
    response = fresh_world.client().put(
        f"/fhir/Task?_id={MBIL_TASK}", data=orjson.dumps(mine), headers=headers
    )
    assert response.status_code in (200, 201)
    assert fresh_world.store.read("Task", MBIL_TASK).resource["owner"]["reference"].endswith("mbil")


def test_conditional_reference_cannot_probe_members_outside_the_compartment(fresh_world):
    probe = cbo_task("probe-task", MRLC_MEMBER, "Organization/cbo-mrlc")
    probe["for"] = {"reference": "Patient?identifier=https://www.mass.gov/masshealth/member-id|1"}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [_put_entry(probe)]}
    response = _post_bundle(fresh_world, "cbo_b", bundle)
    assert response.status_code == 403
    assert "matched" not in response.get_data(as_text=True)


def test_cbo_changes_only_the_progress_of_its_task(fresh_world):
    headers = {**fresh_world.headers("cbo_a"), "Content-Type": FHIR_JSON}
    http = fresh_world.client()
    task = fresh_world.copy_of("Task", MBIL_TASK, MBIL_TASK)
    task["note"] = [{"text": "Left a voicemail"}]
    ok = http.put(f"/fhir/Task/{MBIL_TASK}", data=orjson.dumps(task), headers=headers)
    assert ok.status_code == 200
    task["for"] = {"reference": f"Patient/{MRLC_MEMBER}"}
    moved = http.put(f"/fhir/Task/{MBIL_TASK}", data=orjson.dumps(task), headers=headers)
    assert moved.status_code == 403
    assert (
        fresh_world.store.read("Task", MBIL_TASK).resource["for"]["reference"].endswith(MBIL_MEMBER)
    )
