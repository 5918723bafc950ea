"""Chains, `_has`, `:iterate` includes, `$everything` and conditional delete stay inside the
caller's compartment (TEAM-DISCRETION) at every hop, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from adapter.bulk import BulkExportRunner
from adapter.canonical import identifier_system
from adapter.security import AccessPolicy, Principal
from tests.api.conftest import _empty_tables
from tests.security.conftest import (
    MBIL_MEMBER,
    MBIL_TASK,
    MRLC_MEMBER,
    MRLC_TASK,
    World,
    build_world,
    cbo_service,
    cbo_task,
)
from tests.store.conftest import postgres_schema_url  # noqa: F401

# An MRLC Task and ServiceRequest about MBIL's member: the member is in both compartments,
# these two resources only in MRLC's.
HIDDEN_TASK = "svc-m100016-cbo-mrlc-hidden"
HIDDEN_SERVICE = "servicerequest-m100016-mrlc"
MBIL_TASK_ON_HIDDEN = "svc-m100016-cbo-mbil-2"
MRLC_ROLE = "PractitionerRole/role-ltsc-0016"
CBO_ID = identifier_system("cbo-id")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("search-compartments")
    changes: dict[str, Any] = {"bulk_export_dir": str(tmp / "bulk")}
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_schema_url")
        from adapter.store import open_store

        open_store(url).close()
        _empty_tables(url)
        changes["database_url"] = url
    built = build_world(tmp, **changes)
    store = built.store
    hidden_service = {**cbo_service(MBIL_MEMBER, MRLC_ROLE), "id": HIDDEN_SERVICE}
    store.update("ServiceRequest", HIDDEN_SERVICE, hidden_service)
    store.update("Task", HIDDEN_TASK, cbo_task(HIDDEN_TASK, MBIL_MEMBER, MRLC_ROLE))
    on_hidden = cbo_task(MBIL_TASK_ON_HIDDEN, MBIL_MEMBER, "Organization/cbo-mbil")
    on_hidden["focus"] = {"reference": f"ServiceRequest/{HIDDEN_SERVICE}"}
    store.update("Task", MBIL_TASK_ON_HIDDEN, on_hidden)
    built.forget_compartments()
    yield built
    built.flush_audit()
    store.close()


def search(world: World, kind: str, query: str) -> dict[str, Any]:
    """The searchset with the entries of every page (the `next` links followed)."""
    response = world.client().get(f"/fhir/{query}", headers=world.headers(kind))
    assert response.status_code == 200, response.get_data(as_text=True)
    bundle = response.get_json(force=True)
    page = bundle
    while nxt := next((li["url"] for li in page.get("link", []) if li["relation"] == "next"), None):
        following = world.client().get(nxt.split("localhost", 1)[1], headers=world.headers(kind))
        assert following.status_code == 200, following.get_data(as_text=True)
        page = following.get_json(force=True)
        bundle.setdefault("entry", []).extend(page.get("entry", []))
    return bundle


def ids(bundle: dict[str, Any], mode: str = "match") -> set[str]:
    return {
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle.get("entry", [])
        if e["search"]["mode"] == mode
    }


def referrals(found: set[str]) -> set[str]:
    """The LTS-C referral Tasks among `found` (the samples' accepted offers, owned by a CBO)."""
    return {i for i in found if i.startswith("Task/referral-")}


def service_tasks(found: set[str]) -> set[str]:
    return found - referrals(found)


def owned_by(world: World, reference: str, owner: str) -> bool:
    task = world.store.read("Task", reference.split("/", 1)[1]).resource
    return task["owner"]["reference"] == owner


def test_forward_chain_finds_own_tasks_by_owner_identifier(world):
    found = search(world, "cbo_a", f"Task?owner:Organization.identifier={CBO_ID}|MBIL")
    assert service_tasks(ids(found)) == {f"Task/{MBIL_TASK}", f"Task/{MBIL_TASK_ON_HIDDEN}"}
    assert all(owned_by(world, t, "Organization/cbo-mbil") for t in referrals(ids(found)))
    assert search(world, "cbo_a", f"Task?owner:Organization.identifier={CBO_ID}|MRLC")["total"] == 0


def test_forward_chain_never_passes_through_another_cbos_resource(world):
    """MBIL's Task points at MRLC's ServiceRequest: the chain cannot see that hop."""
    found = search(world, "cbo_a", "Task?focus:ServiceRequest.status=active")
    assert service_tasks(ids(found)) == {f"Task/{MBIL_TASK}"}
    assert all(owned_by(world, t, "Organization/cbo-mbil") for t in referrals(ids(found)))
    admin = search(world, "admin", "Task?focus:ServiceRequest.status=active")
    assert f"Task/{MBIL_TASK_ON_HIDDEN}" in ids(admin)


def test_chain_through_patient_reveals_no_other_members(world):
    family = world.store.read("Patient", MRLC_MEMBER).resource["name"][0]["family"]
    assert search(world, "cbo_a", f"CareTeam?patient.family={family}")["total"] == 0
    assert search(world, "cbo_b", f"CareTeam?patient.family={family}")["total"] >= 1


def test_has_never_reveals_another_cbos_task(world):
    query = f"Patient?_has:Task:patient:owner={MRLC_ROLE}"
    assert search(world, "cbo_a", query)["total"] == 0
    # MRLC sees its own Task there, but not MBIL's member; the plan sees both.
    assert ids(search(world, "cbo_b", query)) == {f"Patient/{MRLC_MEMBER}"}
    assert f"Patient/{MBIL_MEMBER}" in ids(search(world, "plan", query))
    own = ids(search(world, "cbo_a", "Patient?_has:Task:patient:owner=Organization/cbo-mbil"))
    assert f"Patient/{MBIL_MEMBER}" in own  # with the members MBIL has referrals for
    assert f"Patient/{MRLC_MEMBER}" not in own


def test_nested_has_and_chain_in_has_stay_in_compartment(world):
    query = "Patient?_has:Task:patient:owner:PractitionerRole.organization=Organization/cbo-mrlc"
    assert search(world, "cbo_a", query)["total"] == 0
    assert search(world, "plan", query)["total"] >= 1


def test_include_iterate_stops_at_resources_outside_the_compartment(world):
    query = (
        f"Task?_id={MBIL_TASK},{MBIL_TASK_ON_HIDDEN}&_include=Task:focus"
        "&_include:iterate=ServiceRequest:performer"
    )
    found = search(world, "cbo_a", query)
    included = ids(found, "include")
    assert f"ServiceRequest/{HIDDEN_SERVICE}" not in included
    assert "Organization/cbo-mbil" in included  # reached through MBIL's own ServiceRequest
    assert MRLC_ROLE not in included
    admin = ids(search(world, "admin", query), "include")
    assert {f"ServiceRequest/{HIDDEN_SERVICE}", MRLC_ROLE} <= admin


def test_everything_holds_only_what_the_caller_may_see(world):
    found = search(world, "cbo_a", f"Patient/{MBIL_MEMBER}/$everything")
    matched = ids(found)
    assert f"Patient/{MBIL_MEMBER}" in matched
    assert f"Task/{MBIL_TASK}" in matched
    assert f"Task/{HIDDEN_TASK}" not in matched
    assert f"ServiceRequest/{HIDDEN_SERVICE}" not in matched
    other = world.client().get(
        f"/fhir/Patient/{MRLC_MEMBER}/$everything", headers=world.headers("cbo_a")
    )
    assert other.status_code == 404
    plan = ids(search(world, "plan", f"Patient/{MBIL_MEMBER}/$everything?_type=Task"))
    assert {f"Task/{MBIL_TASK}", f"Task/{HIDDEN_TASK}"} <= plan
    assert all(entry.startswith("Task/") for entry in plan)


def test_conditional_delete_by_a_cbo_leaves_other_cbos_tasks(tmp_path):
    fresh = build_world(tmp_path)
    try:
        fresh.store.update("Task", HIDDEN_TASK, cbo_task(HIDDEN_TASK, MBIL_MEMBER, MRLC_ROLE))
        fresh.forget_compartments()
        response = fresh.client().delete(
            f"/fhir/Task?patient=Patient/{MBIL_MEMBER}", headers=fresh.headers("cbo_a")
        )
        assert response.status_code == 204, response.get_data(as_text=True)
        assert fresh.store.read("Task", HIDDEN_TASK).resource["owner"]["reference"] == MRLC_ROLE
        assert fresh.store.search("Task", [("_id", MBIL_TASK)]).total == 0
        assert fresh.store.read("Task", MRLC_TASK)
    finally:
        fresh.flush_audit()
        fresh.store.close()


def test_plan_creates_a_member_with_linked_resources_in_one_urn_uuid_transaction(tmp_path):
    """A plan enrolls a member: Patient and Goal refer to each other by urn:uuid."""
    fresh = build_world(tmp_path)
    try:
        patient_urn = "urn:uuid:9a1f0d3e-6d3c-4a8e-9d59-2f8f0c8b1a01"
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": patient_urn,
                    "resource": {
                        "resourceType": "Patient",
                        "name": [{"family": "Nguyen", "given": ["An"]}],
                        "managingOrganization": {"reference": "Organization/plan-cca-oc"},
                    },
                    "request": {"method": "POST", "url": "Patient"},
                },
                {
                    "fullUrl": "urn:uuid:9a1f0d3e-6d3c-4a8e-9d59-2f8f0c8b1a02",
                    "resource": {
                        "resourceType": "Goal",
                        "lifecycleStatus": "active",
                        "description": {"text": "stay at home"},
                        "subject": {"reference": patient_urn},
                    },
                    "request": {"method": "POST", "url": "Goal"},
                },
            ],
        }
        headers = {**fresh.headers("plan"), "Content-Type": "application/fhir+json"}
        response = fresh.client().post("/fhir", data=orjson.dumps(bundle), headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        locations = [e["response"]["location"] for e in response.get_json()["entry"]]
        patient_id = locations[0].split("/")[1]
        goal = fresh.store.read("Goal", locations[1].split("/")[1]).resource
        assert goal["subject"]["reference"] == f"Patient/{patient_id}"
        # A CBO may not do the same, and a plan may not attach resources to another's member.
        cbo = fresh.client().post(
            "/fhir", data=orjson.dumps(bundle), headers={**headers, **fresh.headers("cbo_a")}
        )
        assert cbo.status_code == 403
        foreign = orjson.loads(orjson.dumps(bundle))
        foreign["entry"][0]["resource"]["managingOrganization"]["reference"] = (
            "Organization/plan-other"
        )
        refused = fresh.client().post("/fhir", data=orjson.dumps(foreign), headers=headers)
        assert refused.status_code == 403
    finally:
        fresh.flush_audit()
        fresh.store.close()


def _export(world: World, kind: str, query: str) -> dict[str, list[dict[str, Any]]]:
    """Kick off, run the job as the worker would, and read every file: type -> resources."""
    headers = {**world.headers(kind), "Prefer": "respond-async"}
    kicked = world.client().get(f"/fhir/{query}", headers=headers)
    assert kicked.status_code == 202, kicked.get_data(as_text=True)
    status = kicked.headers["Content-Location"].split("localhost", 1)[1]
    BulkExportRunner(world.store, world.settings).run_due()
    manifest = world.client().get(status, headers=world.headers(kind)).get_json(force=True)
    found: dict[str, list[dict[str, Any]]] = {}
    for item in manifest["output"]:
        body = world.client().get(item["url"].split("localhost", 1)[1], headers=world.headers(kind))
        found[item["type"]] = [orjson.loads(line) for line in body.get_data().splitlines()]
    # Another client cannot poll the job or fetch its files.
    assert world.client().get(status, headers=world.headers("cbo_b")).status_code == 404
    return found


def members(world: World, cbo_id: str) -> set[str]:
    principal = Principal("t", f"dev-cbo-{cbo_id.lower()}", "cbo", cbo_id, frozenset())
    return set(AccessPolicy(world.store).member_ids(principal) or ())


def test_cbo_export_holds_only_its_compartment(world):
    found = _export(world, "cbo_a", "$export?_type=Patient,Task,ServiceRequest")
    assert {p["id"] for p in found["Patient"]} == members(world, "MBIL")
    assert MRLC_MEMBER not in members(world, "MBIL")
    tasks = {f"Task/{t['id']}" for t in found["Task"]}
    assert service_tasks(tasks) == {f"Task/{MBIL_TASK}", f"Task/{MBIL_TASK_ON_HIDDEN}"}
    assert all(owned_by(world, t, "Organization/cbo-mbil") for t in referrals(tasks))
    assert HIDDEN_SERVICE not in {s["id"] for s in found.get("ServiceRequest", [])}


def test_group_export_is_the_groups_members_and_only_for_its_own_org(world):
    own = _export(world, "cbo_a", "Group/cbo-mbil/$export?_type=Patient")
    assert {p["id"] for p in own["Patient"]} == members(world, "MBIL")
    headers = {**world.headers("cbo_a"), "Prefer": "respond-async"}
    other = world.client().get("/fhir/Group/cbo-mrlc/$export", headers=headers)
    assert other.status_code == 404
    admin = _export(world, "admin", "Group/cbo-mrlc/$export?_type=Patient,Task")
    assert {p["id"] for p in admin["Patient"]} == members(world, "MRLC")
    tasks = {f"Task/{t['id']}" for t in admin["Task"]}
    assert service_tasks(tasks) == {f"Task/{MRLC_TASK}", f"Task/{HIDDEN_TASK}"}
    plan = _export(world, "plan", "Group/plan-cca-oc/$export?_type=Patient")
    assert {MBIL_MEMBER, MRLC_MEMBER} <= {p["id"] for p in plan["Patient"]}


def test_cbo_patches_only_the_progress_of_its_own_task(tmp_path):
    fresh = build_world(tmp_path)
    try:
        headers = {**fresh.headers("cbo_a"), "Content-Type": "application/json-patch+json"}
        http = fresh.client()
        note = [{"op": "add", "path": "/note", "value": [{"text": "Left a voicemail"}]}]
        ok = http.patch(f"/fhir/Task/{MBIL_TASK}", data=orjson.dumps(note), headers=headers)
        assert ok.status_code == 200, ok.get_data(as_text=True)
        owner = [{"op": "replace", "path": "/owner/reference", "value": MRLC_ROLE}]
        moved = http.patch(f"/fhir/Task/{MBIL_TASK}", data=orjson.dumps(owner), headers=headers)
        assert moved.status_code == 403
        other = http.patch(f"/fhir/Task/{MRLC_TASK}", data=orjson.dumps(note), headers=headers)
        assert other.status_code == 404  # another CBO's Task reads like a missing one
        assert fresh.store.read("Task", MRLC_TASK).resource.get("note") is None
    finally:
        fresh.flush_audit()
        fresh.store.close()
