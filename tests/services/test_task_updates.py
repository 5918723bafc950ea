"""Task updates from CBOs and vendors read back as events (CHOICE, VENDOR-FILL, WAIT, ...)."""

from __future__ import annotations

import copy

from adapter.canonical import code_system_url
from adapter.services.task_events import task_member_id, task_update_event

IO_TYPE = code_system_url("task-io-type")


def output(code: str, **value: object) -> dict:
    return {"type": {"coding": [{"system": IO_TYPE, "code": code}]}, **value}


def decided(task: dict, outcome: str, day: str, chosen_role: str | None = None) -> dict:
    """The Task as a CBO sends it back once the member has decided."""
    updated = copy.deepcopy(task)
    updated["status"] = "completed"
    updated["executionPeriod"] = {**updated.get("executionPeriod", {}), "end": day}
    decision = {"coding": [{"system": code_system_url("offer-outcome"), "code": outcome}]}
    updated["output"] = [output("offer-decision", valueCodeableConcept=decision)]
    if chosen_role:
        updated["output"].append(
            output("chosen-ltsc", valueReference={"reference": f"PractitionerRole/{chosen_role}"})
        )
    return updated


def business(task: dict, code: str, **changes: object) -> dict:
    system = code_system_url("service-business-status")
    return (
        copy.deepcopy(task)
        | {"businessStatus": {"coding": [{"system": system, "code": code}]}}
        | changes
    )


def participants(team: dict) -> dict[str, dict]:
    return {p["member"]["reference"]: p for p in team["participant"]}


def test_choice_accepted_offer_task_puts_the_ltsc_on_the_care_team(service, store, export_of):
    # Given M100001's mapped OFFER-90 Task, due and not yet made
    service.ingest(export_of("M100001"))
    task = store.read("Task", "offer-m100001-enrollment-1").resource
    assert task["status"] == "ready"

    # When the CBO completes it: the member accepted LTSC-0001 on 2026-10-20
    result = service.apply_task_update(decided(task, "accepted", "2026-10-20", "role-ltsc-0001"))

    # Then CHOICE / TEAM-DISCRETION: the LTS-C joins the team with the member's Consent
    assert result is not None and result.changed
    team = store.read("CareTeam", "team-m100001").resource
    ltsc = participants(team)["PractitionerRole/role-ltsc-0001"]
    assert ltsc["period"]["start"] == "2026-10-20"
    consent_ref = ltsc["extension"][0]["valueReference"]["reference"]
    consent = store.read(*consent_ref.split("/")).resource
    assert consent["status"] == "active"
    assert consent["patient"] == {"reference": "Patient/mbr-m100001"}
    careplan = store.read("CarePlan", "plan-m100001").resource
    assert {"reference": "PractitionerRole/role-ltsc-0001"} in careplan["contributor"]
    offer = store.read("Task", "offer-m100001-enrollment-1").resource
    assert offer["status"] == "completed"
    assert offer["businessStatus"]["coding"][0]["code"] == "accepted"


def test_choice_same_task_update_again_changes_nothing(service, store, export_of):
    service.ingest(export_of("M100001"))
    task = store.read("Task", "offer-m100001-enrollment-1").resource
    update = decided(task, "accepted", "2026-10-20", "role-ltsc-0001")
    service.apply_task_update(update)

    again = service.apply_task_update(update)

    assert again is not None and not again.changed


def test_choice_declined_offer_task_records_the_decline_without_an_ltsc(service, store, export_of):
    service.ingest(export_of("M100001"))
    task = store.read("Task", "offer-m100001-enrollment-1").resource

    service.apply_task_update(decided(task, "declined", "2026-10-20"))

    [offer] = service.member_record("M100001")["offers"]
    assert (offer["outcome"], offer["chosen_staff_id"]) == ("declined", None)
    assert service.member_record("M100001").get("ltsc_assignments") == []
    team = store.read("CareTeam", "team-m100001").resource
    assert not [r for r in participants(team) if "role-ltsc" in r]


def test_ltsc_change_accepting_a_new_ltsc_ends_the_previous_one(service, store, export_of):
    # Given M100010, with an open offer (OF-2) made on 2026-10-27 and no LTS-C yet
    service.ingest(export_of("M100010"))
    [task] = [
        t
        for t in (m.resource for m in store.search("Task", [("_count", "100")]).matches)
        if t["id"].startswith("offer-m100010") and t["status"] == "in-progress"
    ]
    chosen = task["input"][0]["valueReference"]["reference"].rsplit("/", 1)[1]

    service.apply_task_update(decided(task, "accepted", "2026-10-30", chosen))

    offers = {o["offer_id"]: o for o in service.member_record("M100010")["offers"]}
    assert offers["OF-2"]["outcome"] == "accepted"
    assert offers["OF-2"]["offered_on"] == "2026-10-27"
    [assignment] = service.member_record("M100010")["ltsc_assignments"]
    assert assignment["start"] == "2026-10-30"


def test_vendor_fill_vendor_identified_task_updates_the_recommendation(service, store, export_of):
    # Given M100007's SR-1 fulfillment Task, with vendor V-HOMECARE-3
    service.ingest(export_of("M100007"))
    task = store.read("Task", "svc-m100007-sr-1-fulfillment").resource
    vendor = {"reference": "Organization/vendor-v-homecare-1"}
    update = business(
        task,
        "vendor-identified",
        owner=vendor,
        restriction={"period": {"start": "2026-11-20"}},
        output=[output("vendor", valueReference=vendor)],
    )

    service.apply_task_update(update)

    [rec] = service.member_record("M100007")["service_recommendations"]
    assert (rec["vendor_id"], rec["expected_start"]) == ("V-HOMECARE-1", "2026-11-20")
    assert rec["authorization"]["decision"] == "approved"


def test_wait_task_wait_listed_names_the_reason():
    task = {
        "meta": {
            "profile": ["https://ltsc-adapter.org/fhir/StructureDefinition/ltss-service-task"]
        },
        "identifier": [
            {
                "system": "https://ltsc-adapter.org/fhir/NamingSystem/source-record",
                "value": "M1/M1-SR-2-fulfillment",
            }
        ],
        "lastModified": "2026-10-03T10:00:00-04:00",
        "statusReason": {"text": "staffing shortage"},
    }

    event = task_update_event(business(task, "wait-listed"))

    assert task_member_id(task) == "M1"
    assert event == (
        "service_recommendations",
        {
            "recommendation_id": "SR-2",
            "fulfillment_status": "wait-listed",
            "wait_list": {"since": "2026-10-03", "reason": "staffing shortage"},
        },
    )


def test_denied_alt_denied_authorization_task_records_the_reason():
    task = {
        "meta": {
            "profile": ["https://ltsc-adapter.org/fhir/StructureDefinition/ltss-service-task"]
        },
        "identifier": [
            {
                "system": "https://ltsc-adapter.org/fhir/NamingSystem/source-record",
                "value": "M1/M1-SR-1-authorization",
            }
        ],
        "executionPeriod": {"end": "2026-10-05"},
        "statusReason": {"text": "not medically necessary"},
    }

    event = task_update_event(business(task, "denied"))

    assert event == (
        "service_recommendations",
        {
            "recommendation_id": "SR-1",
            "authorization": {
                "decision": "denied",
                "decided_on": "2026-10-05",
                "reason": "not medically necessary",
            },
        },
    )


def test_task_updates_the_record_does_not_carry_are_not_events(service, store, export_of):
    service.ingest(export_of("M100001"))
    open_offer = store.read("Task", "offer-m100001-enrollment-1").resource

    assert task_update_event(open_offer) is None  # no decision yet
    assert task_update_event({"resourceType": "Task", "status": "completed"}) is None
    assert service.apply_task_update(open_offer) is None
