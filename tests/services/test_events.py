"""Events: one record item added or replaced, the member re-evaluated by the One Care rules."""

from __future__ import annotations

import pytest

from adapter.errors import NotFound, Unprocessable
from tests.services.conftest import resources, version_count

MEMBER = "Patient/mbr-m100001"
ADDRESS = {
    "line": ["40 Oak St"],
    "city": "Worcester",
    "county": "Worcester",
    "state": "MA",
    "postal_code": "01605",
}


def status_event(event_id: str, kind: str, day: str, **extra: object) -> dict:
    return {
        "event_id": event_id,
        "type": kind,
        "date": day,
        "reported_by": None,
        "description": None,
        "facility_name": None,
        "address": None,
        **extra,
    }


def topics(communication: dict) -> list[str]:
    return [c["code"] for cat in communication.get("category", []) for c in cat["coding"]]


def communications_about(store, topic: str, member: str = MEMBER) -> list[dict]:
    return [c for c in resources(store, "Communication", member) if topic in topics(c)]


def offer_tasks(store, member: str = MEMBER) -> list[dict]:
    return [t for t in resources(store, "Task", member) if t["id"].startswith("offer-")]


def triggers(task: dict) -> list[str]:
    return [c["code"] for c in task["reasonCode"]["coding"]]


@pytest.fixture
def ingested(service, export_of):
    service.ingest(export_of("M100001", "M100003", "M100004", "M200006"))
    return service


def test_status_share_hospitalization_event_sends_communication_to_cc(ingested, store):
    # Given M100001, whose Care Coordinator is CC-0002
    event = status_event("ADT-1", "hospitalization", "2026-10-30", facility_name="UMass Memorial")

    # When a hospital reports the admission
    result = ingested.apply_event("M100001", "status_events", event)

    # Then STATUS-SHARE: a Communication about it goes to the CC
    assert result.changed and result.issues == []
    [note] = communications_about(store, "hospitalization")
    assert note["recipient"] == [{"reference": "PractitionerRole/role-cc-0002"}]
    assert "UMass Memorial" in note["payload"][0]["contentString"]
    assert f"Communication/{note['id']}" in result.written


def test_status_share_same_event_again_changes_nothing(ingested, store):
    event = status_event("ADT-1", "hospitalization", "2026-10-30")
    ingested.apply_event("M100001", "status_events", event)
    before = version_count(store)

    result = ingested.apply_event("M100001", "status_events", dict(event))

    assert (result.changed, result.written) == (False, [])
    assert version_count(store) == before


def test_status_share_event_with_known_id_and_new_content_replaces_it(ingested, store):
    ingested.apply_event(
        "M100001", "status_events", status_event("ADT-1", "hospitalization", "2026-10-30")
    )
    corrected = status_event("ADT-1", "hospitalization", "2026-10-30", description="after a fall")

    result = ingested.apply_event("M100001", "status_events", corrected)

    assert result.changed
    assert ingested.member_record("M100001")["status_events"] == [corrected]
    [note] = communications_about(store, "hospitalization")
    assert "after a fall" in note["payload"][0]["contentString"]


def test_avail_institution_contemplated_admission_raises_urgent_offer(ingested, store):
    # Given M100003, who declined every LTS-C offer so far (CHOICE: declines never block)
    admission = {
        "admission_id": "ADT-NF-1",
        "facility_type": "nursing-facility",
        "facility_name": "Mercy Rehab",
        "expected_date": "2026-11-10",
        "identified_on": "2026-10-28",
    }

    # When a nursing-facility admission is contemplated
    ingested.apply_event("M100003", "institutional_admissions", admission)

    # Then AVAIL-INSTITUTION: an urgent offer Task is open for it
    [task] = [
        t for t in offer_tasks(store, "Patient/mbr-m100003") if "AVAIL-INSTITUTION" in triggers(t)
    ]
    assert task["priority"] == "urgent"
    assert task["status"] not in ("completed", "cancelled")
    assert task["authoredOn"] == "2026-10-28"


def test_avail_request_member_request_raises_an_offer(ingested, store):
    request = {"request_id": "RQ-9", "date": "2026-10-29", "channel": "phone", "note": None}

    ingested.apply_event("M100003", "ltsc_requests", request)

    tasks = offer_tasks(store, "Patient/mbr-m100003")
    assert [t for t in tasks if "AVAIL-REQUEST" in triggers(t) and t["status"] == "ready"]


def test_status_share_death_records_the_date_and_cancels_unmade_offers(ingested, store):
    # Given M100001, whose OFFER-90 offer is due and not yet made
    assert [t["status"] for t in offer_tasks(store)] == ["ready"]

    # When the member's death is reported
    ingested.apply_event("M100001", "status_events", status_event("ADT-D", "death", "2026-10-25"))

    # Then the Patient carries the date, the offer can no longer be made, and the CC is told
    assert store.read("Patient", "mbr-m100001").resource["deceasedDateTime"] == "2026-10-25"
    [task] = offer_tasks(store)
    assert (task["status"], task["statusReason"]["text"]) == ("cancelled", "member-deceased")
    assert communications_about(store, "death")


def test_status_share_address_change_moves_home_and_ends_the_previous_one(ingested, store):
    event = status_event("ADT-A", "address-change", "2026-10-15", address=ADDRESS)

    ingested.apply_event("M100001", "status_events", event)

    homes = ingested.member_record("M100001")["member"]["addresses"]
    assert [(a["kind"], a["line"], a["period"]) for a in homes][-1] == (
        "home",
        ["40 Oak St"],
        {"start": "2026-10-15", "end": None},
    )
    assert homes[0]["period"] == {"start": "2026-09-01", "end": "2026-10-14"}
    patient = store.read("Patient", "mbr-m100001").resource
    assert [a.get("period") for a in patient["address"]][-1] == {"start": "2026-10-15"}
    assert communications_about(store, "address-change")


def test_status_share_facility_stay_adds_a_temporary_address(ingested, store):
    event = status_event(
        "ADT-F", "facility-stay", "2026-10-20", facility_name="Mercy Rehab", address=ADDRESS
    )

    ingested.apply_event("M100001", "status_events", event)

    addresses = ingested.member_record("M100001")["member"]["addresses"]
    assert [(a["kind"], a["facility_name"], a["period"]) for a in addresses] == [
        ("home", None, {"start": "2026-09-01", "end": None}),
        ("temporary-facility", "Mercy Rehab", {"start": "2026-10-20", "end": None}),
    ]
    assert communications_about(store, "facility-stay")


def test_staffing_ltsc_leaving_notifies_the_cc(ingested, store):
    # Given M100004, served by LTS-C LTSC-0014 since 2026-06-10
    ended = {
        "staff_id": "LTSC-0014",
        "start": "2026-06-10",
        "end": "2026-10-20",
        "end_reason": "staff-left",
    }

    ingested.apply_event("M100004", "ltsc_assignments", ended)

    [note] = communications_about(store, "staffing-change", "Patient/mbr-m100004")
    assert {"reference": "PractitionerRole/role-cc-0005"} in note["recipient"]
    team = store.read("CareTeam", "team-m100004").resource
    ltsc = [
        p
        for p in team["participant"]
        if p["member"]["reference"] == "PractitionerRole/role-ltsc-0014"
    ]
    assert ltsc[0]["period"]["end"] == "2026-10-20"


def test_vendor_fill_vendor_found_for_an_authorized_service_notifies_the_cc(ingested, store):
    # Given M200006, whose SR-1 waits for the plan's authorization
    recommendation = ingested.member_record("M200006")["service_recommendations"][0]
    approved = recommendation | {
        "authorization": {
            "decision": "approved",
            "decided_on": "2026-10-01",
            "reason": None,
            "authorization_id": "AUTH-9",
        },
        "vendor_id": "V-HOMECARE-1",
        "expected_start": "2026-11-15",
        "fulfillment_status": "vendor-identified",
    }

    result = ingested.apply_event("M200006", "service_recommendations", approved)

    assert result.changed
    assert communications_about(store, "vendor-fill", "Patient/mbr-m200006")
    task = store.read("Task", "svc-m200006-sr-1-fulfillment").resource
    assert task["restriction"]["period"]["start"] == "2026-11-15"


def test_invalid_payload_changes_nothing_and_names_the_item_path(ingested, store):
    before = (version_count(store), ingested.member_record("M100001"))

    with pytest.raises(Unprocessable) as raised:
        ingested.apply_event(
            "M100001", "status_events", status_event("X", "hospitalization", "2026-02-30")
        )

    assert raised.value.http_status == 422
    assert [i.expression for i in raised.value.issues] == [("status_events[0].date",)]
    assert (version_count(store), ingested.member_record("M100001")) == before


def test_unknown_staff_in_the_item_is_unprocessable(ingested):
    event = status_event("X", "hospitalization", "2026-10-30", reported_by="LTSC-9999")

    with pytest.raises(Unprocessable) as raised:
        ingested.apply_event("M100001", "status_events", event)

    [issue] = raised.value.issues
    assert issue.expression == ("status_events[0].reported_by",)
    assert "LTSC-9999" in issue.message


def test_status_share_address_change_without_address_is_unprocessable(ingested):
    with pytest.raises(Unprocessable) as raised:
        ingested.apply_event(
            "M100001", "status_events", status_event("X", "address-change", "2026-10-30")
        )

    assert [i.expression for i in raised.value.issues] == [("status_events[0].address",)]


def test_unknown_event_kind_is_unprocessable(ingested):
    with pytest.raises(Unprocessable) as raised:
        ingested.apply_event("M100001", "goals", {"goal_id": "G-9"})

    assert "goals" in raised.value.issues[0].message


def test_event_for_an_unknown_member_is_not_found(ingested):
    with pytest.raises(NotFound):
        ingested.apply_event(
            "M999999",
            "ltsc_requests",
            {"request_id": "R", "date": "2026-10-01", "channel": "phone"},
        )


@pytest.mark.parametrize(
    ("kind", "item", "trigger"),
    [
        (
            "ltss_needs",
            {
                "need_id": "N-9",
                "identified_on": "2026-10-28",
                "identified_by": "member",
                "category": "ltss",
                "description": "help with meals",
            },
            "AVAIL-LTSS",
        ),
        (
            "agency_involvement",
            {
                "agency": "DMH",
                "service": "targeted-case-management",
                "start": "2026-10-01",
                "end": None,
                "identified_on": "2026-10-28",
            },
            "AVAIL-AGENCY",
        ),
        (
            "assessments",
            {
                "assessment_id": "AS-9",
                "date": "2026-10-28",
                "kind": "reassessment",
                "rating_category": "C3",
                "ltsc_requested": True,
            },
            "AVAIL-ASSESS",
        ),
    ],
    ids=["AVAIL-LTSS", "AVAIL-AGENCY", "AVAIL-ASSESS"],
)
def test_avail_events_raise_an_offer_after_earlier_declines(ingested, store, kind, item, trigger):
    # Given M100003, who declined every earlier offer (CHOICE: a decline never blocks)
    # When the care team records the new fact
    ingested.apply_event("M100003", kind, item)

    # Then an open offer Task answers the trigger
    open_tasks = [t for t in offer_tasks(store, "Patient/mbr-m100003") if t["status"] == "ready"]
    assert [t for t in open_tasks if trigger in triggers(t)]


def test_status_share_death_reported_in_error_and_corrected_is_withdrawn(ingested, store):
    ingested.apply_event("M100001", "status_events", status_event("ADT-D", "death", "2026-10-25"))

    corrected = status_event("ADT-D", "hospitalization", "2026-10-25")
    ingested.apply_event("M100001", "status_events", corrected)

    assert ingested.member_record("M100001")["member"]["date_of_death"] is None
    assert "deceasedDateTime" not in store.read("Patient", "mbr-m100001").resource
    # The cancelled Task is final; the offer open again is a new Task that replaces it.
    statuses = {t["id"]: t["status"] for t in offer_tasks(store)}
    assert statuses == {
        "offer-m100001-enrollment-1": "cancelled",
        "offer-m100001-enrollment-1-r2": "ready",
    }


def test_choice_two_address_change_without_county_within_the_city_keeps_the_service_area(
    ingested, store
):
    # Given M100001 in Revere (Suffolk), whose open OFFER-90 Task lists two LTS-Cs
    [before] = offer_tasks(store)
    choices = [i["valueReference"] for i in before["input"]]
    assert len(choices) == 2
    moved = {"line": ["9 Shirley Ave"], "city": "Revere", "county": None, "state": "MA",
             "postal_code": "02151"}  # fmt: skip

    # When an ADT address update without a county moves the member within Revere
    event = status_event("ADT-R", "address-change", "2026-10-20", address=moved)
    ingested.apply_event("M100001", "status_events", event)

    # Then the new home keeps the county, and the offer keeps its choices
    home = ingested.member_record("M100001")["member"]["addresses"][-1]
    assert (home["line"], home["county"]) == (["9 Shirley Ave"], "Suffolk")
    [after] = offer_tasks(store)
    assert [i["valueReference"] for i in after["input"]] == choices
    assert "extension" not in after  # no shortfall reason


def test_choice_two_offer_with_an_untrue_shortfall_reason_is_refused_naming_the_cbos(
    ingested, store
):
    # M100001 lives in Revere (Suffolk), where several contracted CBOs serve.
    before = version_count(store)
    dodge = {"offer_id": "OF-9", "trigger": "OFFER-90", "offered_on": "2026-10-20",
             "choices": ["LTSC-0001"], "fewer_choices_reason": "fewer-than-two-cbos",
             "outcome": None, "outcome_date": None, "chosen_staff_id": None}  # fmt: skip
    with pytest.raises(Unprocessable) as refused:
        ingested.apply_event("M100001", "offers", dodge)
    (issue,) = [i for i in refused.value.issues if i.code == "business-rule"]
    assert issue.expression == ("offers[0].fewer_choices_reason",)
    assert "Suffolk" in issue.message and "MBIL" in issue.message and "MRLC" in issue.message
    assert version_count(store) == before


def test_an_event_writes_only_the_resources_it_changes(ingested, store):
    # Given M100001 stored from the plan export
    patient_before = store.read("Patient", "mbr-m100001")
    versions_before = version_count(store)
    event = status_event("ADT-9", "hospitalization", "2026-10-30", facility_name="UMass Memorial")

    # When a hospital reports an admission (STATUS-SHARE)
    result = ingested.apply_event("M100001", "status_events", event)

    # Then only the new Communication and the member Bundle's Provenance, which names every
    # entry, get a version; the Patient and the directory resources are left as they were
    [note] = communications_about(store, "hospitalization")
    assert sorted(result.written) == sorted(
        [f"Communication/{note['id']}", "Provenance/prov-m100001"]
    )
    assert version_count(store) == versions_before + 2
    patient_after = store.read("Patient", "mbr-m100001")
    assert patient_after.version_id == patient_before.version_id
