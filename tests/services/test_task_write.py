"""An API Task update and everything the rules derive from it commit together or not at all,
and a concurrent change of the same member is never lost (CHOICE, TEAM-DISCRETION)."""

from __future__ import annotations

import pytest

from adapter.config import Settings
from adapter.errors import Unprocessable
from adapter.outcome import Issue
from adapter.services import MemberService
from adapter.services.task_write import MemberTaskStore
from adapter.validation import Validator
from tests.services.conftest import TODAY
from tests.services.test_task_updates import decided

TASK = "offer-m100001-enrollment-1"
HOSPITALIZATION = {"event_id": "ADT-1", "type": "hospitalization", "date": "2026-10-30",
                   "reported_by": None, "description": None, "facility_name": None,
                   "address": None}  # fmt: skip


class RefusesConsents(Validator):
    """The real validator, plus an error on every Consent once switched on."""

    def __init__(self, inner: Validator) -> None:
        self.inner, self.refusing = inner, False

    def validate(self, resource, profiles=()):
        issues = self.inner.validate(resource, profiles)
        for i, entry in enumerate(resource.get("entry", [])):
            if self.refusing and entry["resource"]["resourceType"] == "Consent":
                where = f"Bundle.entry[{i}].resource"
                issues.append(Issue("error", "invariant", "refused by test", (where,)))
        return issues


def test_choice_task_update_whose_re_evaluation_fails_stores_nothing(store, export_of, validator):
    refusing = RefusesConsents(validator)
    service = MemberService(store, Settings(), validator=refusing, today=lambda: TODAY)
    service.ingest(export_of("M100001"))
    task = store.read("Task", TASK)
    refusing.refusing = True

    accepted = decided(task.resource, "accepted", "2026-10-20", "role-ltsc-0001")
    with pytest.raises(Unprocessable):
        MemberTaskStore(store, service).update("Task", TASK, accepted)

    # The Task is as it was: the API does not keep half of the change.
    assert store.read("Task", TASK).version_id == task.version_id
    assert service.member_record("M100001")["offers"] == []


def test_choice_task_update_commits_with_the_care_team(service, store, export_of):
    service.ingest(export_of("M100001"))
    task = store.read("Task", TASK).resource
    accepted = decided(task, "accepted", "2026-10-20", "role-ltsc-0001")

    outcome = MemberTaskStore(store, service).update("Task", TASK, accepted)

    assert outcome.status == "updated"
    assert store.read("Task", TASK).resource["status"] == "completed"
    team = store.read("CareTeam", "team-m100001").resource
    refs = [p["member"]["reference"] for p in team["participant"]]
    assert "PractitionerRole/role-ltsc-0001" in refs


def test_choice_task_update_racing_another_change_of_the_member_keeps_both(
    service, store, export_of, monkeypatch
):
    # Given a hospitalization event that lands between the Task update's read and its write
    service.ingest(export_of("M100001"))
    task = store.read("Task", TASK).resource
    accepted = decided(task, "accepted", "2026-10-20", "role-ltsc-0001")
    original = service._remap
    raced = []

    def remap_then_race(*args, **kwargs):
        remapped = original(*args, **kwargs)
        if not raced:
            raced.append(True)
            service.apply_event("M100001", "status_events", HOSPITALIZATION)
        return remapped

    monkeypatch.setattr(service, "_remap", remap_then_race)

    MemberTaskStore(store, service).update("Task", TASK, accepted)

    # Then neither change is lost: the record has the event and the decision
    record = service.member_record("M100001")
    assert [e["event_id"] for e in record["status_events"]] == ["ADT-1"]
    assert [o["outcome"] for o in record["offers"]] == ["accepted"]
    assert store.read("Task", TASK).resource["status"] == "completed"
