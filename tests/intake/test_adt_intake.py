"""ADT messages applied to stored members through the member service (SQLite and PostgreSQL)."""

from __future__ import annotations

from adapter.config import SAMPLES_DIR
from adapter.intake import AdtIntake
from adapter.records.hl7v2.tables import load_facilities
from tests.intake.messages import HOME, adt


def communications(store, member="mbr-m100001"):
    page = store.search("Communication", [("subject", f"Patient/{member}"), ("_count", "100")])
    return {m.id: m.resource for m in page.matches}


def offer_tasks(store, member="mbr-m100001"):
    page = store.search("Task", [("patient", f"Patient/{member}"), ("_count", "100")])
    return [m.resource for m in page.matches]


def test_status_share_sample_file_yields_acks_and_communications(intake, store):
    receipts = intake.process_file(SAMPLES_DIR / "hl7v2" / "adt-events.hl7")
    assert [r.ack_code for r in receipts] == ["AA", "AA", "AA", "AA"]
    topics = {c["category"][0]["coding"][0]["code"] for c in communications(store).values()}
    assert topics == {"hospitalization", "address-change"}


def test_status_share_a01_hospitalization_reaches_the_care_coordinator(intake, store):
    message = adt("A01", "H-1", pv1={3: "5N^^^UMASSMEM", 44: "20261005"})
    receipt = intake.receive(message, "test")
    assert receipt.ack_code == "AA"
    sent = [c for c in communications(store).values() if "hospitalization" in str(c["category"])]
    assert len(sent) == 1
    assert sent[0]["recipient"] == [{"reference": "PractitionerRole/role-cc-0002"}]
    assert "UMASSMEM" in sent[0]["payload"][0]["contentString"]


def test_a_resent_message_changes_nothing(intake, store):
    message = adt("A01", "H-2", pv1={3: "5N^^^UMASSMEM", 44: "20261005"})
    first = intake.receive(message, "test")
    again = intake.receive(message, "test")
    assert first.written and again.ack_code == "AA" and again.written == []
    assert len(communications(store)) == 1


def test_avail_institution_a05_raises_an_urgent_offer_task(intake, store):
    message = adt(
        "A05", "P-1", pv1={2: "P", 3: "SNF^^^MERCY REHAB^^S", 10: "SNF"}, pv2={8: "20261020"}
    )
    receipt = intake.receive(message, "test")
    assert receipt.ack_code == "AA", receipt.text
    offers = [t for t in offer_tasks(store) if "AVAIL-INSTITUTION" in str(t.get("reasonCode"))]
    assert len(offers) == 1
    assert offers[0]["priority"] == "urgent"


def test_status_share_a08_with_the_known_address_records_nothing(intake, store, service):
    receipt = intake.receive(adt("A08", "U-1", pid={11: HOME}), "test")
    assert receipt.ack_code == "AA" and receipt.written == []
    assert service.member_record("M100001")["status_events"] == []


def test_status_share_a08_with_a_new_address_moves_the_member_home(intake, service):
    pid = {11: "42 Ocean Ave^Unit 3^Revere^MA^02151^USA^H"}
    assert (
        intake.receive(adt("A08", "U-2", pid=pid, sent="20261015080000"), "test").ack_code == "AA"
    )
    homes = [
        a for a in service.member_record("M100001")["member"]["addresses"] if a["kind"] == "home"
    ]
    assert homes[-1]["line"] == ["42 Ocean Ave", "Unit 3"]
    assert homes[-1]["period"] == {"start": "2026-10-15", "end": None}


def test_status_share_death_indicator_records_the_date_of_death(intake, service):
    receipt = intake.receive(adt("A03", "D-1", pid={29: "20261011", 30: "Y"}), "test")
    assert receipt.ack_code == "AA", receipt.text
    assert service.member_record("M100001")["member"]["date_of_death"] == "2026-10-11"


def test_status_share_facility_stay_becomes_a_temporary_address(service):
    facilities = load_facilities(SAMPLES_DIR / "hl7v2" / "facilities.yaml")
    intake = AdtIntake(service, facilities)
    message = adt("A01", "S-1", pv1={3: "SNF^^^MERCY REHAB^^S", 10: "SNF", 44: "20261006"})
    assert intake.receive(message, "test").ack_code == "AA"
    stays = [
        a
        for a in service.member_record("M100001")["member"]["addresses"]
        if a["kind"] == "temporary-facility"
    ]
    assert [(s["facility_name"], s["city"]) for s in stays] == [("MERCY REHAB", "Springfield")]


def test_unknown_members_are_queued_for_review_and_accepted(intake, service):
    message = adt("A01", "N-1", pid={3: "M999999^^^CCA-OC^MB"})
    receipt = intake.receive(message, "mllp:127.0.0.1:4000")
    assert receipt.ack_code == "AA"
    assert receipt.text.startswith(f"queued for review {receipt.review_id}")
    reviews = service.reviews()
    assert [(r["id"], r["source"], r["payload"]) for r in reviews] == [
        (receipt.review_id, "mllp:127.0.0.1:4000", message)
    ]


def test_messages_with_only_foreign_identifiers_are_queued_not_dropped(intake, service):
    receipt = intake.receive(adt("A01", "N-2", pid={3: "E4471023^^^UMASSMEM^MR"}), "test")
    assert receipt.review_id is not None
    assert len(service.reviews()) == 1


def test_an_item_that_breaks_the_schema_is_refused_before_anything_is_applied(intake, service):
    pid = {11: "42 Ocean Ave^^Revere^MA^ABCDE^^H", 30: "Y"}
    receipt = intake.receive(adt("A08", "B-1", pid=pid), "test")
    assert receipt.ack_code == "AE"
    assert "postal_code" in receipt.text
    assert "ERR||PID^1^11|102^" in receipt.ack
    assert service.member_record("M100001")["member"].get("date_of_death") is None


def test_unsupported_messages_are_rejected_with_err(intake):
    receipt = intake.receive(adt("A02", "T-1"), "test")
    assert receipt.ack_code == "AR"
    assert "ERR||MSH^1^9|201^Unsupported event code^HL70357|E" in receipt.ack
