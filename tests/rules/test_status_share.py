"""STATUS-SHARE: health-status and address changes reach the CC."""

import pytest

from tests.rules.given import evaluate, member


def _event(kind, day="2026-08-03", reported_by="LTSC-001", **extra):
    return {
        "event_id": "EV-1",
        "type": kind,
        "date": day,
        "reported_by": reported_by,
        "description": "after a fall",
        "facility_name": None,
        "address": None,
        **extra,
    }


@pytest.mark.parametrize(
    "kind", ["hospitalization", "worsening-condition", "death", "address-change", "facility-stay"]
)
def test_status_share_change_is_sent_to_the_cc(kind):
    record = member(
        status_events=[_event(kind)],
        ltsc_assignments=[{"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}],
    )
    (note,) = evaluate(record, "2026-08-04")["notifications"]
    assert (note["topic"], note["sent"], note["about"]) == (kind, "2026-08-03", "EV-1")
    assert (note["sender_staff_id"], note["recipient_staff_ids"]) == ("LTSC-001", ["CC-001"])
    assert note["notification_key"] == "M1-status-EV-1"


def test_status_share_facility_stay_names_the_facility():
    record = member(status_events=[_event("facility-stay", facility_name="Mercy Rehab")])
    (note,) = evaluate(record, "2026-08-04")["notifications"]
    assert note["text"] == "Facility stay on 2026-08-03 at Mercy Rehab: after a fall"


def test_status_share_reported_by_the_cc_goes_to_the_ltsc():
    record = member(
        status_events=[_event("hospitalization", reported_by="CC-001")],
        ltsc_assignments=[{"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}],
    )
    (note,) = evaluate(record, "2026-08-04")["notifications"]
    assert note["recipient_staff_ids"] == ["LTSC-001"]


def test_status_share_goes_to_the_cc_assigned_that_day():
    record = member(status_events=[_event("hospitalization")])
    record["care_coordinator_assignments"] = [
        {"staff_id": "CC-001", "start": "2026-03-01", "end": "2026-07-31"},
        {"staff_id": "CC-002", "start": "2026-08-01", "end": None},
    ]
    (note,) = evaluate(record, "2026-08-04")["notifications"]
    assert note["recipient_staff_ids"] == ["CC-002"]


def test_status_share_event_after_as_of_is_not_yet_known():
    assert evaluate(member(status_events=[_event("death")]), "2026-08-02")["notifications"] == []


def test_status_share_links_the_communication_the_plan_already_recorded():
    sent = {
        "communication_id": "CM-7",
        "sent": "2026-08-04T09:00:00-04:00",
        "topic": "hospitalization",
        "sender": "LTSC-001",
        "recipients": ["CC-001"],
        "text": "fall",
    }
    too_late = sent | {"communication_id": "CM-8", "sent": "2026-09-30T09:00:00-04:00"}
    record = member(status_events=[_event("hospitalization")], communications=[too_late, sent])
    (note,) = evaluate(record, "2026-10-01")["notifications"]
    assert note["recorded_communication_id"] == "CM-7"


def test_status_share_unrecorded_notification_has_no_communication():
    (note,) = evaluate(member(status_events=[_event("death")]), "2026-08-04")["notifications"]
    assert note["recorded_communication_id"] is None
