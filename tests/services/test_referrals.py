"""The closed referral loop with the chosen CBO (CHOICE, CHOICE-TWO, STAFFING): an accepted
offer becomes a Gravity-style referral the CBO accepts, rejects or completes."""

from __future__ import annotations

import copy
import json

import pytest

from adapter.config import SAMPLES_DIR
from adapter.store import Store
from tests.services.history_checks import all_task_ids, replay_problems

REFERRAL = "referral-m100010-agency-dds-affiliation"
IO_TYPE = "https://ltsc-adapter.org/fhir/CodeSystem/task-io-type"


def accepted_offer() -> dict:
    """The Care Coordinator records M100010's acceptance of LTSC-0006 (NSIL)."""
    task = json.loads((SAMPLES_DIR / "scenarios" / "accept-offer-task.json").read_text())
    task["executionPeriod"]["end"] = "2026-10-30"  # before the suite's day (TODAY)
    return task


def cbo_moves(store: Store, status: str, **elements) -> dict:
    """The CBO's version of its referral Task, stored as the API or a poll stores it."""
    task = copy.deepcopy(store.read("Task", REFERRAL).resource)
    task.pop("meta", None)
    task.update(status=status, **elements)
    store.update("Task", REFERRAL, task)
    return task


def assigned(role: str) -> list[dict]:
    coding = {"system": IO_TYPE, "code": "assigned-ltsc"}
    return [{"type": {"coding": [coding]}, "valueReference": {"reference": role}}]


def team_roles(store: Store) -> dict[str, dict]:
    team = store.read("CareTeam", "team-m100010").resource
    return {
        p["member"]["reference"]: p.get("period", {})
        for p in team["participant"]
        if p["member"]["reference"].startswith("PractitionerRole/role-ltsc")
    }


@pytest.fixture
def referred(service, export_of, store):
    service.ingest(export_of("M100010"))
    service.apply_task_update(accepted_offer())
    return service


def test_choice_accepted_offer_writes_the_referral_to_the_chosen_cbo(referred, store):
    task = store.read("Task", REFERRAL).resource
    assert task["status"] == "requested"
    assert task["intent"] == "order"
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"] == {"reference": f"ServiceRequest/{REFERRAL}"}
    assert task["for"] == {"reference": "Patient/mbr-m100010"}
    assert task["owner"] == {"reference": "Organization/cbo-nsil"}
    assert task["requester"]["reference"].startswith("PractitionerRole/role-cc-")
    assert task["authoredOn"]
    request = store.read("ServiceRequest", REFERRAL).resource
    assert request["performer"] == [{"reference": "Organization/cbo-nsil"}]
    [consent] = request["supportingInfo"]
    assert store.read("Consent", consent["reference"].split("/")[1]).resource["status"]
    plan = store.read("CarePlan", "plan-m100010").resource
    assert {"reference": f"Task/{REFERRAL}"} in [a["reference"] for a in plan["activity"]]


def test_choice_cbo_accepts_with_another_ltsc_who_takes_over_on_the_care_team(referred, store):
    task = cbo_moves(
        store,
        "accepted",
        output=assigned("PractitionerRole/role-ltsc-0007"),
        lastModified="2026-11-01T10:00:00Z",
    )

    referred.apply_task_update(task)

    roles = team_roles(store)
    assert roles["PractitionerRole/role-ltsc-0007"] == {"start": "2026-11-01"}
    assert roles["PractitionerRole/role-ltsc-0006"].get("end") == "2026-11-01"
    assert store.read("Task", REFERRAL).resource["status"] == "accepted"


def test_staffing_cbo_completes_and_the_ltsc_leaves_the_care_team(referred, store):
    cbo_moves(store, "accepted", output=assigned("PractitionerRole/role-ltsc-0006"))
    done = cbo_moves(
        store,
        "completed",
        output=assigned("PractitionerRole/role-ltsc-0006"),
        executionPeriod={"start": "2026-11-01", "end": "2026-11-02"},
    )

    referred.apply_task_update(done)

    assert team_roles(store)["PractitionerRole/role-ltsc-0006"].get("end") == "2026-11-02"
    assert store.read("Task", REFERRAL).resource["status"] == "completed"
    # The CBO's own moves have their Provenance too, naming the CBO as the owner.
    assert [p for t in all_task_ids(store) for p in replay_problems(store, t)] == []


def test_choice_two_cbo_rejects_and_the_other_choice_is_offered_again(referred, store):
    rejected = cbo_moves(
        store,
        "rejected",
        statusReason={"text": "no LTS-C with the member's language this month"},
        lastModified="2026-11-01T09:00:00Z",
    )

    referred.apply_task_update(rejected)

    offers = [store.read("Task", t).resource for t in all_task_ids(store) if t.startswith("offer-")]
    again = [o for o in offers if o["status"] == "in-progress"]
    assert len(again) == 1
    choices = [i["valueReference"]["reference"] for i in again[0]["input"]]
    assert choices == ["PractitionerRole/role-ltsc-0028"]
    assert store.read("Task", REFERRAL).resource["status"] == "rejected"
    assert team_roles(store)["PractitionerRole/role-ltsc-0006"].get("end") == "2026-11-01"


def test_vendor_fill_completed_fulfillment_names_the_service_delivered(service, export_of, store):
    service.ingest(export_of("M100007"))
    fulfillment = "svc-m100007-sr-1-fulfillment"
    done = copy.deepcopy(store.read("Task", fulfillment).resource)
    done["meta"] = {"profile": done["meta"]["profile"]}
    done["status"] = "completed"
    done["businessStatus"]["coding"][0].update(code="completed", display="Completed")
    done["executionPeriod"] = {"start": "2026-10-01", "end": "2026-10-30"}
    store.update("Task", fulfillment, done)  # the vendor's move, as the API stores it

    service.apply_task_update(done)

    task = store.read("Task", fulfillment).resource
    assert task["status"] == "completed"
    assert task["executionPeriod"]["end"] == "2026-10-30"
    [result] = [
        o["valueReference"]["reference"]
        for o in task["output"]
        if o["type"]["coding"][0]["code"] == "resulting-activity"
    ]
    procedure = store.read(*result.split("/")).resource
    order = "ServiceRequest/servicerequest-m100007-sr-1-order"
    assert procedure["basedOn"] == [{"reference": order}]
    assert procedure["status"] == "completed"
    assert store.read(*order.split("/")).resource["status"] == "completed"
