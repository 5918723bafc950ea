"""ADT A01/A03/A04/A05/A08 messages mapped to member-record items, and the ones refused."""

from __future__ import annotations

import pytest

from adapter.records.hl7v2 import AdtError, read_adt
from adapter.records.hl7v2.tables import IDENTIFIER_SYSTEMS
from tests.intake.messages import MASSHEALTH, adt

MERCY = {"line": ["40 Mercy Way"], "city": "Springfield", "state": "MA", "postal_code": "01104"}


def only_item(message: str, **kwargs) -> tuple[str, dict]:
    items = read_adt(message, **kwargs).items
    assert len(items) == 1, items
    return items[0]


def test_pid3_names_plan_member_and_masshealth_ids_and_skips_hospital_mrn():
    message = adt("A01", "C1", pid={3: f"E447^^^UMASSMEM^MR~M100001^^^CCA-OC^MB~{MASSHEALTH}"})
    assert read_adt(message).identifiers == [
        (IDENTIFIER_SYSTEMS["plan-member-id"], "M100001"),
        (IDENTIFIER_SYSTEMS["masshealth-id"], "161950100001"),
    ]


def test_status_share_a01_is_a_hospitalization_at_the_assigned_facility():
    message = adt("A01", "C1", pv1={3: "5N^512^B^UMASSMEM", 10: "MED", 44: "20261005091500"})
    kind, item = only_item(message)
    assert kind == "status_events"
    assert item["event_id"] == "ADT-C1"
    assert (item["type"], item["date"], item["facility_name"]) == (
        "hospitalization",
        "2026-10-05",
        "UMASSMEM",
    )


def test_status_share_a01_to_a_known_nursing_facility_is_a_facility_stay_with_its_address():
    message = adt("A01", "C2", pv1={3: "SNF^^^MERCY REHAB^^S", 10: "SNF", 44: "20261006"})
    _, item = only_item(message, facilities={"MERCY REHAB": MERCY})
    assert (item["type"], item["address"], item["facility_name"]) == (
        "facility-stay",
        MERCY,
        "MERCY REHAB",
    )


def test_status_share_a01_to_a_facility_without_known_address_stays_a_hospitalization():
    event = read_adt(adt("A01", "C3", pv1={3: "SNF^^^MERCY REHAB^^S", 10: "SNF"}))
    assert event.items[0][1]["type"] == "hospitalization"
    assert "address of MERCY REHAB unknown" in event.notes[0]


def test_status_share_a03_discharge_dated_by_pv1_45():
    message = adt("A03", "C4", pv1={3: "5N^^^UMASSMEM", 44: "20261005", 45: "20261009133000"})
    _, item = only_item(message)
    assert item["date"] == "2026-10-09"
    assert item["description"].startswith("discharged from UMASSMEM")


@pytest.mark.parametrize(
    ("pv1", "facility_type"),
    [
        ({2: "P", 3: "SNF^^^MERCY REHAB^^S", 10: "SNF"}, "nursing-facility"),
        ({2: "I", 3: "4E^^^BAYRIDGE", 10: "PSY"}, "psychiatric-hospital"),
        ({2: "I", 3: "REHAB^^^SPAULDING"}, "other-institution"),
        ({2: "P", 3: "2W^^^WHITTIER^^S"}, "nursing-facility"),
    ],
)
def test_avail_institution_a05_contemplated_admission(pv1, facility_type):
    kind, item = only_item(adt("A05", "C5", pv1=pv1, pv2={8: "20261020"}))
    assert kind == "institutional_admissions"
    assert item == item | {
        "admission_id": "ADT-C5",
        "facility_type": facility_type,
        "expected_date": "2026-10-20",
        "identified_on": "2026-10-12",
    }


def test_avail_institution_a05_without_expected_date_uses_the_message_date():
    _, item = only_item(adt("A05", "C6", pv1={2: "P", 10: "SNF"}))
    assert item["expected_date"] == "2026-10-12"


def test_avail_institution_a05_for_an_outpatient_visit_records_nothing():
    event = read_adt(adt("A05", "C7", pv1={2: "O", 10: "SNF"}))
    assert event.items == []
    assert event.notes == ["pre-admission is not to an institution; nothing recorded"]


@pytest.mark.parametrize("trigger", ["A04", "A08"])
def test_status_share_registration_or_update_carries_the_home_address(trigger):
    pid = {11: "9 Old Rd^^Lynn^MA^01902^^M~42 Ocean Ave^Unit 3^Revere^MA^02151^USA^H"}
    _, item = only_item(adt(trigger, "C8", pid=pid))
    assert item["type"] == "address-change"
    assert item["event_id"] == "ADT-C8-address"
    assert item["address"] == {
        "line": ["42 Ocean Ave", "Unit 3"],
        "city": "Revere",
        "county": None,
        "state": "MA",
        "postal_code": "02151",
    }


def test_status_share_pid30_death_indicator_adds_a_death_event_dated_by_pid29():
    message = adt("A03", "C9", pid={29: "202610110412", 30: "Y"}, pv1={45: "20261011"})
    items = read_adt(message).items
    assert [i["type"] for _, i in items] == ["hospitalization", "death"]
    death = items[1][1]
    assert (death["event_id"], death["date"]) == ("ADT-C9-death", "2026-10-11")


def test_ids_come_from_msh10_and_long_or_unsafe_ids_are_hashed_stably():
    first = read_adt(adt("A01", "X/" + "9" * 80)).items[0][1]["event_id"]
    again = read_adt(adt("A01", "X/" + "9" * 80)).items[0][1]["event_id"]
    assert first == again
    assert len(first) <= 64 and "/" not in first


@pytest.mark.parametrize(
    ("message", "ack_code", "error_code", "location"),
    [
        ("this is not HL7", "AR", "200", ""),
        (adt("R01", "C1", message_type="ORU"), "AR", "200", "MSH-9"),
        (adt("A02", "C1"), "AR", "201", "MSH-9"),
        (adt("A01", ""), "AE", "101", "MSH-10"),
        (adt("A01", "C1", pid={3: ""}), "AE", "101", "PID-3"),
        (adt("A01", "C1", pv1={44: "2026-10-05"}), "AE", "102", "PV1-44"),
        (adt("A01", "C1", sent="yesterday"), "AE", "102", "MSH-7"),
    ],
)
def test_unusable_messages_say_why_and_where(message, ack_code, error_code, location):
    with pytest.raises(AdtError) as caught:
        read_adt(message)
    assert (caught.value.ack_code, caught.value.error_code, caught.value.location) == (
        ack_code,
        error_code,
        location,
    )


def test_a_message_without_pid_is_an_application_error():
    without_pid = "\r".join(s for s in adt("A01", "C1").split("\r") if not s.startswith("PID"))
    with pytest.raises(AdtError) as caught:
        read_adt(without_pid)
    assert (caught.value.ack_code, caught.value.location) == ("AE", "PID")
