"""Nothing half-written: the record and the FHIR resources are stored together or not at all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from adapter.config import Settings
from adapter.errors import Conflict, Unprocessable
from adapter.outcome import Issue
from adapter.services import MemberService
from adapter.store.members import load_member, load_plan_export, save_member
from adapter.validation import Validator
from tests.services.conftest import TODAY, resources, version_count

HOSPITALIZATION = {"event_id": "ADT-1", "type": "hospitalization", "date": "2026-10-30"}


class RefusesCommunications(Validator):
    """The real validator, plus an error on every Communication once switched on."""

    def __init__(self, inner: Validator) -> None:
        self.inner, self.refusing = inner, False

    def validate(self, resource, profiles=()):
        issues = self.inner.validate(resource, profiles)
        for i, entry in enumerate(resource.get("entry", [])):
            if self.refusing and entry["resource"]["resourceType"] == "Communication":
                where = f"Bundle.entry[{i}].resource"
                issues.append(Issue("error", "invariant", "refused by test", (where,)))
        return issues


def test_validation_failure_of_the_remapped_member_stores_nothing(store, export_of, validator):
    refusing = RefusesCommunications(validator)
    service = MemberService(store, Settings(), validator=refusing, today=lambda: TODAY)
    service.ingest(export_of("M100001"))
    before = (version_count(store), service.member_record("M100001"))
    refusing.refusing = True

    with pytest.raises(Unprocessable) as raised:
        service.apply_event("M100001", "status_events", HOSPITALIZATION)

    assert raised.value.issues[0].message == "refused by test"
    assert (version_count(store), service.member_record("M100001")) == before


def test_failure_while_writing_undoes_resources_already_written(service, store, export_of):
    service.ingest(export_of("M100001"))
    before = (version_count(store), service.member_record("M100001"))

    def fail_on_communication(_conn, change):
        # The Communication comes after the Patient and CareTeam in the Bundle's order.
        if change["type"] == "Communication":
            raise RuntimeError("disk full")

    store.add_listener(fail_on_communication)
    with pytest.raises(RuntimeError):
        service.apply_event("M100001", "status_events", HOSPITALIZATION)

    assert (version_count(store), service.member_record("M100001")) == before
    assert resources(store, "Communication", "Patient/mbr-m100001") == []


def test_record_saved_by_another_request_meanwhile_is_a_conflict(service, store, export_of):
    service.ingest(export_of("M100001"))
    with store.reading() as conn:
        row = load_member(conn, "M100001")
    changed = row.record | {
        "ltsc_requests": [{"request_id": "R", "date": "2026-10-01", "channel": "phone"}]
    }
    store.run_in_transaction(lambda conn: save_member(conn, "CCA-OC", changed))

    with pytest.raises(Conflict):
        store.run_in_transaction(
            lambda conn: save_member(conn, "CCA-OC", row.record, expected_revision=row.revision)
        )

    assert service.member_record("M100001") == changed


def test_saving_an_equal_record_keeps_its_revision(service, store, export_of):
    service.ingest(export_of("M100001"))
    with store.reading() as conn:
        row = load_member(conn, "M100001")

    revision = store.run_in_transaction(
        lambda conn: save_member(conn, "CCA-OC", row.record, expected_revision=row.revision)
    )

    assert revision == row.revision == 1


def test_concurrent_events_for_one_member_never_lose_an_item(service, export_of):
    service.ingest(export_of("M100001"))
    requests = [
        {"request_id": f"RQ-{n}", "date": "2026-10-2" + str(n), "channel": "phone"}
        for n in range(4)
    ]

    def apply(item: dict) -> str | None:
        try:
            service.apply_event("M100001", "ltsc_requests", item)
        except Conflict:
            return None  # the caller is told to retry; nothing of this item was stored
        return item["request_id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        stored = {r for r in pool.map(apply, requests) if r}

    recorded = {r["request_id"] for r in service.member_record("M100001")["ltsc_requests"]}
    assert stored and recorded == stored


def test_report_an_export_whose_members_are_all_rejected_changes_nothing(
    store, export_of, validator
):
    refusing = RefusesCommunications(validator)
    service = MemberService(
        store, Settings(validation_mode="reject"), validator=refusing, today=lambda: TODAY
    )
    service.ingest(export_of("M100023"))
    with store.reading() as conn:
        before = load_plan_export(conn, "CCA-OC")
    rejected = export_of("M100023")
    rejected.directory["cbos"] = rejected.directory["cbos"][:3]
    rejected.export["source_system"] = "Another system"
    refusing.refusing = True

    report = service.ingest(rejected)

    assert (report.members_stored, report.members_rejected) == (0, 1)
    with store.reading() as conn:
        assert load_plan_export(conn, "CCA-OC") == before
