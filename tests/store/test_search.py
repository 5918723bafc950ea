"""Search parameters, modifiers, prefixes, sorting, paging and includes on both databases."""

from __future__ import annotations

import pytest

from adapter.errors import InvalidRequest
from adapter.store import supported_search_params

MEMBER_ID = "https://ltsc-adapter.org/fhir/NamingSystem/plan-member-id"
TASK_CODE = "https://ltsc-adapter.org/fhir/CodeSystem/task-code"
BUSINESS = "https://ltsc-adapter.org/fhir/CodeSystem/offer-business-status"


def offer_task(task_id, member, status, business, authored, **extra):
    return {
        "resourceType": "Task",
        "id": task_id,
        "status": status,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE, "code": "ltsc-offer"}]},
        "businessStatus": {"coding": [{"system": BUSINESS, "code": business}]},
        "for": {"reference": f"Patient/{member}"},
        "authoredOn": authored,
        "owner": {"reference": "PractitionerRole/role-cc-0001"},
        **extra,
    }


@pytest.fixture
def members(store):
    store.update(
        "Patient",
        "mbr-m1",
        {
            "resourceType": "Patient",
            "identifier": [{"system": MEMBER_ID, "value": "M100001"}],
            "name": [{"family": "Sántos", "given": ["Maria"]}],
            "birthDate": "1971-03-14",
            "gender": "female",
        },
    )
    store.update(
        "Patient",
        "mbr-m2",
        {
            "resourceType": "Patient",
            "identifier": [{"system": MEMBER_ID, "value": "M100002"}],
            "name": [{"family": "Santiago", "given": ["Luis"]}],
            "birthDate": "1980-07-01",
        },
    )
    store.update(
        "Patient",
        "mbr-m3",
        {
            "resourceType": "Patient",
            "identifier": [{"system": "urn:other", "value": "M100001"}],
            "name": [{"family": "Nguyen"}],
        },
    )
    store.update(
        "Task", "offer-1", offer_task("offer-1", "mbr-m1", "completed", "accepted", "2026-03-01")
    )
    store.update(
        "Task",
        "offer-2",
        offer_task("offer-2", "mbr-m1", "ready", "due", "2026-06-15T10:00:00-04:00"),
    )
    store.update(
        "Task",
        "offer-3",
        offer_task(
            "offer-3",
            "mbr-m2",
            "in-progress",
            "offered",
            "2026-09-01",
            focus={"reference": "ServiceRequest/sr-1"},
        ),
    )
    store.update(
        "CareTeam",
        "team-m1",
        {
            "resourceType": "CareTeam",
            "status": "active",
            "subject": {"reference": "Patient/mbr-m1"},
            "participant": [{"member": {"reference": "PractitionerRole/role-ltsc-0001"}}],
        },
    )
    store.update(
        "CarePlan",
        "plan-m1",
        {
            "resourceType": "CarePlan",
            "status": "active",
            "intent": "plan",
            "subject": {"reference": "Patient/mbr-m1"},
            "careTeam": [{"reference": "CareTeam/team-m1"}],
            "period": {"start": "2026-03-01"},
        },
    )
    store.update(
        "ServiceRequest",
        "sr-1",
        {
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "proposal",
            "subject": {"reference": "Patient/mbr-m2"},
        },
    )
    return store


def ids(page):
    return sorted(m.id for m in page.matches)


def test_search_by_id_and_unfiltered_type(members):
    assert ids(members.search("Patient", [])) == ["mbr-m1", "mbr-m2", "mbr-m3"]
    assert ids(members.search("Patient", [("_id", "mbr-m2,mbr-m3")])) == ["mbr-m2", "mbr-m3"]


def test_token_forms(members):
    search = members.search
    assert ids(search("Patient", [("identifier", "M100001")])) == ["mbr-m1", "mbr-m3"]
    assert ids(search("Patient", [("identifier", f"{MEMBER_ID}|M100001")])) == ["mbr-m1"]
    assert ids(search("Patient", [("identifier", f"{MEMBER_ID}|")])) == ["mbr-m1", "mbr-m2"]
    assert ids(search("Patient", [("gender", "|female")])) == ["mbr-m1"]


def test_task_status_not_and_business_status(members):
    not_done = members.search("Task", [("status:not", "completed")])
    assert ids(not_done) == ["offer-2", "offer-3"]
    due = members.search("Task", [("business-status", f"{BUSINESS}|due")])
    assert ids(due) == ["offer-2"]
    either = members.search("Task", [("status", "ready,in-progress")])
    assert ids(either) == ["offer-2", "offer-3"]


def test_string_defaults_to_case_and_accent_insensitive_prefix(members):
    assert ids(members.search("Patient", [("family", "san")])) == ["mbr-m1", "mbr-m2"]
    assert ids(members.search("Patient", [("name", "SANTOS")])) == ["mbr-m1"]
    assert ids(members.search("Patient", [("family:exact", "Santos")])) == []
    assert ids(members.search("Patient", [("family:exact", "Sántos")])) == ["mbr-m1"]
    assert ids(members.search("Patient", [("family:contains", "tia")])) == ["mbr-m2"]


def test_reference_forms(members):
    for value in ("Patient/mbr-m1", "mbr-m1", "http://example.org/fhir/Patient/mbr-m1"):
        assert ids(members.search("Task", [("patient", value)])) == ["offer-1", "offer-2"]
    assert ids(members.search("Task", [("subject:Patient", "mbr-m2")])) == ["offer-3"]
    assert ids(members.search("Task", [("focus", "ServiceRequest/sr-1")])) == ["offer-3"]
    assert ids(members.search("Task", [("owner", "PractitionerRole/role-cc-0001")])) == [
        "offer-1",
        "offer-2",
        "offer-3",
    ]
    participant = [("participant", "PractitionerRole/role-ltsc-0001")]
    assert ids(members.search("CareTeam", participant)) == ["team-m1"]


def test_repeated_parameters_are_and(members):
    page = members.search("Task", [("patient", "mbr-m1"), ("status", "ready")])
    assert ids(page) == ["offer-2"]


def test_date_prefixes(members):
    def authored(value):
        return ids(members.search("Task", [("authored-on", value)]))

    assert authored("2026-03-01") == ["offer-1"]
    assert authored("2026-03") == ["offer-1"]
    assert authored("gt2026-06-15") == ["offer-3"]
    assert authored("ge2026-06-15") == ["offer-2", "offer-3"]
    assert authored("lt2026-06") == ["offer-1"]
    assert authored("le2026-06-15") == ["offer-1", "offer-2"]
    assert authored("ne2026") == []
    # 10:00 at -04:00 is 14:00 UTC
    assert authored("2026-06-15T14:00:00Z") == ["offer-2"]
    assert authored("sa2026-06-15T13:00:00Z") == ["offer-2", "offer-3"]


def test_open_period_reaches_the_future(members):
    assert ids(members.search("CarePlan", [("date", "ge2030-01-01")])) == ["plan-m1"]
    assert ids(members.search("CarePlan", [("date", "lt2026-03-01")])) == []


def test_last_updated_and_missing(members):
    assert len(members.search("Task", [("_lastUpdated", "gt2000-01-01")]).matches) == 3
    assert members.search("Task", [("_lastUpdated", "lt2000-01-01")]).total == 0
    assert ids(members.search("Task", [("focus:missing", "true")])) == ["offer-1", "offer-2"]
    assert ids(members.search("Task", [("focus:missing", "false")])) == ["offer-3"]
    assert ids(members.search("Patient", [("birthdate:missing", "true")])) == ["mbr-m3"]


def test_bad_date_is_an_error(members):
    with pytest.raises(InvalidRequest):
        members.search("Task", [("authored-on", "yesterday")])


def test_unknown_parameters_lenient_and_strict(members):
    page = members.search("Task", [("colour", "blue"), ("status", "ready")])
    assert ids(page) == ["offer-2"]
    assert page.ignored_params == [("colour", "blue")]
    with pytest.raises(InvalidRequest):
        members.search("Task", [("colour", "blue")], strict=True)
    with pytest.raises(InvalidRequest):
        members.search("Task", [("status:fuzzy", "x")], strict=True)


def test_sort_and_paging(members):
    first = members.search("Task", [("_sort", "-authored-on"), ("_count", "2")])
    assert [m.id for m in first.matches] == ["offer-3", "offer-2"]
    assert first.total == 3
    assert first.prev_params is None
    assert ("_offset", "2") in first.next_params
    second = members.search("Task", first.next_params)
    assert [m.id for m in second.matches] == ["offer-1"]
    assert second.next_params is None
    assert ("_offset", "0") in second.prev_params
    by_id = members.search("Task", [("_sort", "_id")])
    assert [m.id for m in by_id.matches] == ["offer-1", "offer-2", "offer-3"]


def test_sort_by_last_updated_descending(members):
    members.update(
        "Task", "offer-1", offer_task("offer-1", "mbr-m1", "completed", "accepted", "2026-03-02")
    )
    page = members.search("Task", [("_sort", "-_lastUpdated")])
    assert page.matches[0].id == "offer-1"


def test_summary_count_returns_only_total(members):
    page = members.search("Task", [("status", "ready,completed"), ("_summary", "count")])
    assert page.total == 2
    assert page.matches == []


def test_include_care_team_and_focus(members):
    page = members.search("CarePlan", [("_include", "CarePlan:care-team")])
    assert [(r.type, r.id) for r in page.included] == [("CareTeam", "team-m1")]
    page = members.search("Task", [("_id", "offer-3"), ("_include", "Task:focus")])
    assert [(r.type, r.id) for r in page.included] == [("ServiceRequest", "sr-1")]
    page = members.search("Task", [("_id", "offer-1"), ("_include", "Task:patient")])
    assert [(r.type, r.id) for r in page.included] == [("Patient", "mbr-m1")]


def test_revinclude_tasks_of_patient(members):
    page = members.search("Patient", [("_id", "mbr-m1"), ("_revinclude", "Task:patient")])
    assert [m.id for m in page.matches] == ["mbr-m1"]
    assert sorted(r.id for r in page.included) == ["offer-1", "offer-2"]


def test_deleted_resources_leave_search(members):
    members.delete("Task", "offer-2")
    assert ids(members.search("Task", [("patient", "mbr-m1")])) == ["offer-1"]
    page = members.search("Patient", [("_id", "mbr-m1"), ("_revinclude", "Task:patient")])
    assert [r.id for r in page.included] == ["offer-1"]


def test_updates_replace_index_values(members):
    members.update(
        "Task", "offer-2", offer_task("offer-2", "mbr-m1", "completed", "declined", "2026-06-15")
    )
    assert ids(members.search("Task", [("status", "ready")])) == []
    assert ids(members.search("Task", [("business-status", "declined")])) == ["offer-2"]


def test_supported_search_params_describe_task():
    params = {p["name"]: p for p in supported_search_params("Task")}
    assert params["business-status"]["type"] == "token"
    assert params["patient"]["definition"] == "http://hl7.org/fhir/SearchParameter/Task-patient"
    assert {"_id", "_lastUpdated", "status", "owner", "focus", "authored-on"} <= params.keys()
    assert supported_search_params("Spaceship") == []


def test_include_care_team_participants_and_wildcard(members):
    page = members.search("CareTeam", [("_include", "CareTeam:participant")])
    assert [(r.type, r.id) for r in page.included] == []  # role not stored: nothing to include
    members.update("PractitionerRole", "role-ltsc-0001", {"resourceType": "PractitionerRole"})
    page = members.search("CareTeam", [("_include", "CareTeam:participant")])
    assert [(r.type, r.id) for r in page.included] == [("PractitionerRole", "role-ltsc-0001")]
    page = members.search("CareTeam", [("_include", "*")])
    assert sorted((r.type, r.id) for r in page.included) == [
        ("Patient", "mbr-m1"),
        ("PractitionerRole", "role-ltsc-0001"),
    ]


def test_unknown_include_is_ignored_or_refused(members):
    page = members.search("Task", [("_include", "Task:colour")])
    assert page.ignored_params == [("_include", "Task:colour")]
    with pytest.raises(InvalidRequest):
        members.search("Task", [("_include", "Task:colour")], strict=True)


def test_sort_by_last_updated_ascending_follows_write_order(members):
    page = members.search("Patient", [("_sort", "_lastUpdated")])
    assert [m.id for m in page.matches] == ["mbr-m1", "mbr-m2", "mbr-m3"]


def test_count_zero_and_bad_count(members):
    page = members.search("Task", [("_count", "0")])
    assert (page.total, page.matches, page.next_params) == (3, [], None)
    with pytest.raises(InvalidRequest):
        members.search("Task", [("_count", "-1")])
