"""Task histories replay through the state machine, one Provenance per version (TASK-STATES)."""

from __future__ import annotations

import copy

import pytest

from adapter.config import Settings
from adapter.records.generator import generate_export
from adapter.rules.task_paths import interim_task, status_path
from adapter.services import MemberService
from tests.services.history_checks import all_task_ids, replay_problems, versions


def test_offer_born_ready_reaches_completed_through_in_progress():
    assert status_path("offer", None, "completed") == ["ready", "in-progress", "completed"]
    assert status_path("offer", None, "cancelled") == ["ready", "cancelled"]


def test_fulfillment_reaches_completed_once_accepted():
    assert status_path("fulfillment", None, "completed") == ["requested", "accepted", "completed"]
    assert status_path("fulfillment", None, "on-hold") == ["requested", "accepted", "on-hold"]
    assert status_path("fulfillment", "in-progress", "in-progress") == []


def test_final_status_has_no_way_out():
    assert status_path("offer", "cancelled", "ready") is None
    assert status_path("fulfillment", "completed", "in-progress") is None
    assert status_path("fulfillment", "accepted", "requested") is None


def test_interim_version_carries_no_outcome_yet():
    final = {
        "resourceType": "Task",
        "status": "completed",
        "businessStatus": {"coding": [{"system": "x", "code": "accepted"}]},
        "executionPeriod": {"start": "2026-04-02", "end": "2026-04-15"},
        "output": [{"type": {"coding": [{"code": "offer-decision"}]}, "valueString": "x"}],
    }
    interim = interim_task("offer", final, "in-progress", {"offered": "Offered"})
    assert interim["status"] == "in-progress"
    assert interim["executionPeriod"] == {"start": "2026-04-02"}
    assert "output" not in interim
    assert interim["businessStatus"]["coding"][0] == {
        "system": "x",
        "code": "offered",
        "display": "Offered",
    }


def test_every_sample_task_history_replays_with_its_provenance(service, sample_export, store):
    report = service.ingest(sample_export)
    assert report.members_rejected == 0

    task_ids = all_task_ids(store)
    assert len(task_ids) > 90
    problems = [p for task_id in task_ids for p in replay_problems(store, task_id)]
    assert problems == []
    # Tasks are born in their initial state, never in their final one.
    born = {versions(store, t)[0]["status"] for t in task_ids}
    assert born <= {"ready", "requested"}


def test_ingesting_the_same_export_again_adds_no_task_version(service, export_of, store):
    service.ingest(export_of("M100009", "M100021"))
    before = store.history("Task", count=1).total

    service.ingest(export_of("M100009", "M100021"))

    assert store.history("Task", count=1).total == before


def test_export_moving_a_task_backwards_is_refused_naming_the_task_and_both_states(
    service, export_of, store
):
    service.ingest(export_of("M100008"))
    export = export_of("M100008")
    recommendation = export.members[0]["service_recommendations"][0]
    recommendation["fulfillment_status"] = "pending"  # in service -> back to requested

    report = service.ingest(export)

    assert report.members_rejected == 1
    (member_id, issue), *_ = report.issues
    assert member_id == "M100008"
    assert "Task/svc-m100008-sr-1-fulfillment" in issue.message
    assert "in-progress" in issue.message and "requested" in issue.message
    task = store.read("Task", "svc-m100008-sr-1-fulfillment").resource
    assert task["status"] == "in-progress"


def test_task_update_provenance_names_the_owner(service, export_of, store):
    service.ingest(export_of("M100010"))
    offer = next(
        store.read("Task", t).resource for t in all_task_ids(store) if t.startswith("offer-")
    )
    accepted = copy.deepcopy(offer)
    choice = accepted["input"][0]["valueReference"]["reference"]
    accepted["status"] = "completed"
    accepted["executionPeriod"] = {"start": "2026-10-20", "end": "2026-10-28"}
    accepted["output"] = [
        {
            "type": {"coding": [{"system": _io(), "code": "offer-decision"}]},
            "valueCodeableConcept": {"coding": [{"system": _outcome(), "code": "accepted"}]},
        },
        {
            "type": {"coding": [{"system": _io(), "code": "chosen-ltsc"}]},
            "valueReference": {"reference": choice},
        },
    ]

    service.apply_task_update(accepted)

    assert [p for t in all_task_ids(store) for p in replay_problems(store, t)] == []
    last = versions(store, offer["id"])[-1]
    assert last["status"] == "completed"


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_task_of_a_generated_export_of_2000_members_replays(store):
    # Profiles are checked elsewhere; here only the histories matter, so validation is off.
    service = MemberService(store, Settings(validation_mode="off"))
    report = service.ingest(generate_export(2000, 7))
    assert report.members_rejected == 0

    task_ids = all_task_ids(store)
    assert len(task_ids) > 2000
    problems = [p for task_id in task_ids for p in replay_problems(store, task_id)]
    assert problems[:20] == []


def _io() -> str:
    return "https://ltsc-adapter.org/fhir/CodeSystem/task-io-type"


def _outcome() -> str:
    return "https://ltsc-adapter.org/fhir/CodeSystem/offer-outcome"


def test_wait_listed_work_resumed_with_a_vendor_continues_in_a_new_task(service, export_of, store):
    service.ingest(export_of("M100022"))
    record = service.member_record("M100022")
    waiting = next(r for r in record["service_recommendations"] if r["recommendation_id"] == "SR-1")
    found = {**waiting, "fulfillment_status": "vendor-identified", "wait_list": None}
    found |= {"vendor_id": "V-HOMECARE-1", "expected_start": "2026-11-20"}

    service.apply_event("M100022", "service_recommendations", found)

    closed = store.read("Task", "svc-m100022-sr-1-fulfillment").resource
    assert closed["status"] == "cancelled"
    assert closed["statusReason"]["text"] == "continued in Task/svc-m100022-sr-1-fulfillment-r2"
    assert store.read("Task", "svc-m100022-sr-1-fulfillment-r2").resource["status"] == "accepted"
    assert [p for t in all_task_ids(store) for p in replay_problems(store, t)] == []
