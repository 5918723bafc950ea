"""Ingest: a plan export stored as member records and FHIR resources, idempotently."""

from __future__ import annotations

from adapter.config import Settings
from adapter.outcome import Issue
from adapter.services import MemberService
from adapter.services.member_service import MASSHEALTH_SYSTEM, MEMBER_ID_SYSTEM
from adapter.store import Store
from adapter.store.members import load_plan_export
from adapter.validation import Validator
from tests.services.conftest import TODAY, resources, version_count


class RefusesPatient(Validator):
    """The real validator, plus one error for one member's Patient."""

    def __init__(self, inner: Validator, patient_id: str) -> None:
        self.inner, self.patient_id = inner, patient_id

    def validate(self, resource, profiles=()):
        issues = self.inner.validate(resource, profiles)
        entries = [e["resource"] for e in resource.get("entry", [])]
        if any(r["resourceType"] == "Patient" and r["id"] == self.patient_id for r in entries):
            issues.append(Issue("error", "invariant", "refused by test", ("Bundle.entry[3]",)))
        return issues


def test_ingest_sample_export_stores_every_member(service, store, sample_export):
    report = service.ingest(sample_export)

    assert (report.members_stored, report.members_rejected) == (len(sample_export.members), 0)
    assert report.issues == []
    assert store.read("Patient", "mbr-m100001").resource["identifier"]
    assert store.read("CareTeam", "team-m100001").resource["subject"] == {
        "reference": "Patient/mbr-m100001"
    }
    assert service.member_record("M100001") == sample_export.members[0]


def test_reingest_of_the_same_export_writes_no_new_versions(service, store, export_of):
    export = export_of("M100001", "M100004", "M100007")
    service.ingest(export)
    before = version_count(store)

    report = service.ingest(export)

    assert report.members_stored == 3
    assert version_count(store) == before


def test_ingest_rejects_only_the_member_whose_bundle_fails_validation(store, export_of, validator):
    service = MemberService(
        store, Settings(), validator=RefusesPatient(validator, "mbr-m100004"), today=lambda: TODAY
    )

    report = service.ingest(export_of("M100001", "M100004"))

    assert (report.members_stored, report.members_rejected) == (1, 1)
    assert [(m, i.message) for m, i in report.issues] == [("M100004", "refused by test")]
    assert resources(store, "Patient", None) and not resources(
        store, "CareTeam", "Patient/mbr-m100004"
    )
    assert service.find_member([(None, "M100004")]) is None


def test_ingest_in_warn_mode_stores_the_member_and_reports_the_error(store, export_of, validator):
    settings = Settings(validation_mode="warn")
    refusing = RefusesPatient(validator, "mbr-m100004")
    service = MemberService(store, settings, validator=refusing, today=lambda: TODAY)

    report = service.ingest(export_of("M100004"))

    assert (report.members_stored, report.members_rejected) == (1, 0)
    assert [i.message for _, i in report.issues] == ["refused by test"]


def test_find_member_by_plan_member_id_or_masshealth_id(service, export_of):
    export = export_of("M100001", "M100004")
    service.ingest(export)
    masshealth_id = export.members[1]["member"]["masshealth_id"]

    assert service.find_member([(None, "M100001")]) == "M100001"
    assert service.find_member([(MEMBER_ID_SYSTEM, "M100004")]) == "M100004"
    assert service.find_member([(MASSHEALTH_SYSTEM, masshealth_id)]) == "M100004"
    assert service.find_member([(None, masshealth_id)]) == "M100004"
    assert service.find_member([(MASSHEALTH_SYSTEM, "M100004")]) is None
    assert service.find_member([("urn:other", "M100001"), (None, "nobody")]) is None


def test_find_member_refuses_identifiers_naming_two_members(service, export_of):
    service.ingest(export_of("M100001", "M100004"))

    assert service.find_member([(None, "M100001"), (None, "M100004")]) is None


def test_ingest_keeps_the_plan_directory_for_later_events(service, store: Store, export_of):
    export = export_of("M100001")
    service.ingest(export)

    with store.reading() as conn:
        header, directory = load_plan_export(conn, "CCA-OC")
    assert (header, directory) == (export.export, export.directory)
