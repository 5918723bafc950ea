"""`load` goes through the member service: validation, referential integrity, the Task state
machine and the member's record, in one transaction (CHOICE, TEAM-DISCRETION)."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from adapter.errors import Unprocessable
from adapter.mapping.pipeline import map_export
from adapter.services import MemberService
from adapter.services.bundle_load import load_bundle
from adapter.webapp.actions import offer_decision
from tests.services.conftest import TODAY

MEMBER = "M100010"
TASK = "offer-m100010-agency-dds-affiliation"


def _sample_bundle(export_of):
    ((_, bundle),) = map_export(export_of(MEMBER))
    return bundle


def test_choice_load_of_the_sample_bundle_after_a_web_app_decision_leaves_it_intact(
    service, store, export_of
):
    # Given M100010's open AVAIL-AGENCY offer, accepted in the web app (CHOICE)
    service.ingest(export_of(MEMBER))
    assert store.read("Task", TASK).resource["status"] == "in-progress"
    form = {"offer_id": "OF-2", "outcome": "accepted", "outcome_date": "2026-10-30",
            "chosen_staff_id": "LTSC-0006"}  # fmt: skip
    decision = offer_decision(service.member_record(MEMBER), form)
    service.apply_event(MEMBER, "offers", decision)

    # When the sample Bundle mapped before the decision is loaded
    result = load_bundle(service, _sample_bundle(export_of))

    # Then the stored Task keeps the decision, the move back is reported, and the LTS-C stays
    # on the member's care team
    task = store.read("Task", TASK).resource
    assert task["status"] == "completed"
    assert [i.message.split(":")[0] for i in result.kept] == [
        f"Task/{TASK} kept as stored (completed)"
    ]
    assert "in-progress" in result.kept[0].message
    team = store.read("CareTeam", "team-m100010").resource
    members = [p["member"]["reference"] for p in team["participant"]]
    assert "PractitionerRole/role-ltsc-0006" in members
    assert service.member_record(MEMBER)["offers"][-1]["outcome"] == "accepted"


def test_choice_load_of_an_illegal_task_move_keeps_the_stored_task(store, validator, export_of):
    # A member the service does not know: the Bundle is all there is, the state machine still
    # guards the stored Task.
    service = MemberService(store, _settings(), validator=validator, today=lambda: TODAY)
    bundle = _sample_bundle(export_of)
    load_bundle(service, bundle)
    done = copy.deepcopy(bundle)
    for entry in done["entry"]:
        if entry["resource"]["id"] == TASK:
            entry["resource"]["status"] = "cancelled"
            entry["resource"]["statusReason"] = {"text": "member-disenrolled"}
    load_bundle(service, done)
    assert store.read("Task", TASK).resource["status"] == "cancelled"

    result = load_bundle(service, bundle)

    assert store.read("Task", TASK).resource["status"] == "cancelled"
    assert len(result.kept) == 1
    assert result.kept[0].expression[0].endswith(".resource.status")


def _settings(**changes):
    from adapter.config import Settings

    return dataclasses.replace(Settings(), **changes)


def _dangling_bundle():
    task = {
        "resourceType": "Task",
        "id": "t-dangling",
        "status": "requested",
        "intent": "order",
        "focus": {"reference": "ServiceRequest/not-stored"},
    }
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "https://ltsc-adapter.org/fhir/Task/t-dangling",
                "resource": task,
                "request": {"method": "PUT", "url": "Task/t-dangling"},
            }
        ],
    }


def test_denied_alt_load_refuses_a_reference_that_resolves_nowhere(store, validator):
    service = MemberService(store, _settings(), validator=validator, today=lambda: TODAY)
    with pytest.raises(Unprocessable) as refused:
        load_bundle(service, _dangling_bundle())
    (issue,) = [i for i in refused.value.issues if i.code == "not-found"]
    assert issue.expression == ("Bundle.entry[0].resource.focus.reference",)
    assert store.search("Task", []).total == 0


def test_denied_alt_reference_integrity_can_be_relaxed_for_a_migration(store, validator):
    relaxed = _settings(reference_integrity=0, validation_mode="warn")
    service = MemberService(store, relaxed, validator=validator, today=lambda: TODAY)
    load_bundle(service, _dangling_bundle())
    assert store.read("Task", "t-dangling").resource["focus"]["reference"] == (
        "ServiceRequest/not-stored"
    )
