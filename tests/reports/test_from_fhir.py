"""rows_from_fhir: report rows read back from Patients and LTS-C offer Tasks (REPORT)."""

from __future__ import annotations

from datetime import date

import pytest

from adapter.config import SAMPLES_DIR
from adapter.mapping import sample_bundles
from adapter.records import read_exports
from adapter.reports import compute_report, rows_from_exports, rows_from_fhir

BASE = "https://ltsc-adapter.org/fhir"


def coding(system, code):
    return {"coding": [{"system": f"{BASE}/CodeSystem/{system}", "code": code}]}


def io(code, **value):
    return {"type": coding("task-io-type", code), **value}


def ref(reference):
    return {"reference": reference}


PLAN = {
    "resourceType": "Organization",
    "id": "plan-p1",
    "identifier": [{"system": f"{BASE}/NamingSystem/plan-id", "value": "P1"}],
}
CBOS = [
    {"resourceType": "Organization", "id": "cbo-bcil", "type": [coding("cbo-type", "ILC")]},
    {"resourceType": "Organization", "id": "cbo-mrlc", "type": [coding("cbo-type", "RLC")]},
]
ROLES = [
    {
        "resourceType": "PractitionerRole",
        "id": "role-l1",
        "organization": ref("Organization/cbo-bcil"),
    },
    {
        "resourceType": "PractitionerRole",
        "id": "role-l2",
        "organization": ref("Organization/cbo-mrlc"),
    },
]
PATIENT = {
    "resourceType": "Patient",
    "id": "mbr-m1",
    "identifier": [{"system": f"{BASE}/NamingSystem/plan-member-id", "value": "M1"}],
    "extension": [
        {
            "url": f"{BASE}/StructureDefinition/rating-category",
            "valueCodeableConcept": coding("rating-category", "F1"),
        }
    ],
    "managingOrganization": ref("Organization/plan-p1"),
}


def offer_task(task_id, triggers, authored, due, status="completed", **parts):
    task = {
        "resourceType": "Task",
        "id": task_id,
        "status": status,
        "intent": "order",
        "code": coding("task-code", "ltsc-offer"),
        "for": ref("Patient/mbr-m1"),
        "authoredOn": authored,
        "requester": ref("Organization/plan-p1"),
        "reasonCode": {
            "coding": [c for t in triggers for c in coding("offer-trigger", t)["coding"]]
        },
        "restriction": {"period": {"end": due}},
    }
    return task | parts


ACCEPTED = offer_task(
    "offer-m1-enrollment-1",
    ["OFFER-90", "AVAIL-ASSESS"],
    "2026-03-01",
    "2026-04-10",
    executionPeriod={"start": "2026-04-02", "end": "2026-04-15"},
    input=[
        io("ltsc-choice", valueReference=ref("PractitionerRole/role-l1")),
        io("ltsc-choice", valueReference=ref("PractitionerRole/role-l2")),
    ],
    output=[
        io("offer-decision", valueCodeableConcept=coding("offer-outcome", "accepted")),
        io("chosen-ltsc", valueReference=ref("PractitionerRole/role-l2")),
    ],
)
CANCELLED = offer_task(
    "offer-m1-request-1", ["AVAIL-REQUEST"], "2026-09-01", "2026-09-15", status="cancelled"
)
SERVICE_TASK = {
    "resourceType": "Task",
    "id": "svc-1",
    "status": "ready",
    "intent": "order",
    "code": {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]},
}


def test_choice_offer_task_becomes_a_row_with_cbo_types_and_chosen_type():
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": r} for r in [PLAN, *CBOS, *ROLES, PATIENT, ACCEPTED]],
    }
    members, offers = rows_from_fhir([bundle])
    assert offers == [
        {
            "member_id": "M1",
            "plan_id": "P1",
            "trigger": "OFFER-90",
            "triggers": ["OFFER-90", "AVAIL-ASSESS"],
            "trigger_date": date(2026, 3, 1),
            "due": date(2026, 4, 10),
            "offered_on": date(2026, 4, 2),
            "outcome": "accepted",
            "outcome_date": date(2026, 4, 15),
            "choices": 2,
            "cbo_types": ["ILC", "RLC"],
            "chosen_cbo_type": "RLC",
            "rating_category": "F1",
        }
    ]
    # The OFFER-90 Task's authoredOn is the enrollment start.
    assert members == [
        {
            "member_id": "M1",
            "plan_id": "P1",
            "rating_category": "F1",
            "enrollment_start": date(2026, 3, 1),
            "enrollment_end": None,
        }
    ]


def test_report_cancelled_and_service_tasks_are_not_offers():
    resources = [PLAN, PATIENT, ACCEPTED, CANCELLED, SERVICE_TASK]
    _, offers = rows_from_fhir(resources)
    assert [o["trigger"] for o in offers] == ["OFFER-90"]


def test_report_deceased_patient_ends_the_enrollment():
    patient = PATIENT | {"deceasedDateTime": "2026-08-02T10:00:00-04:00"}
    members, _ = rows_from_fhir([PLAN, patient, ACCEPTED])
    assert members[0]["enrollment_end"] == date(2026, 8, 2)


def test_report_open_offer_without_execution_period_is_unmade():
    due = offer_task(
        "offer-m1-enrollment-1",
        ["OFFER-90"],
        "2026-03-01",
        "2026-05-30",
        status="ready",
        input=[io("ltsc-choice", valueReference=ref("PractitionerRole/role-l1"))],
    )
    _, (offer,) = rows_from_fhir([PLAN, *CBOS, *ROLES, PATIENT, due])
    assert (offer["offered_on"], offer["outcome"], offer["choices"], offer["cbo_types"]) == (
        None,
        None,
        0,
        [],
    )


@pytest.fixture(scope="module")
def sample_rows():
    from_fhir = rows_from_fhir(list(sample_bundles()))
    from_exports = rows_from_exports(read_exports([SAMPLES_DIR / "plan-export.json"]).exports)
    return from_fhir, from_exports


def by_key(offers):
    return sorted(offers, key=lambda o: (o["member_id"], o["trigger_date"], o["due"]))


def test_report_mapped_sample_gives_the_same_offer_rows_as_the_export(sample_rows):
    (_, fhir_offers), (_, export_offers) = sample_rows
    assert fhir_offers
    assert by_key(fhir_offers) == by_key(export_offers)


def test_report_mapped_sample_gives_the_same_figures_except_hidden_re_enrollments(sample_rows):
    (fhir_members, fhir_offers), (export_members, export_offers) = sample_rows
    start, end = date(2026, 1, 1), date(2026, 10, 31)
    from_fhir = compute_report(fhir_members, fhir_offers, start, end)
    from_export = compute_report(export_members, export_offers, start, end)
    # Days to first offer need every enrollment's start; a Task shows a re-enrollment only when
    # OFFER-90 is its first trigger (docs/reports.md, "From FHIR resources").
    days = {"days-to-offer-median", "days-to-offer-p90"}
    for code in from_export["groups"].keys() - days:
        assert from_fhir["groups"][code] == from_export["groups"][code], code


def test_report_care_plan_start_is_the_enrollment_when_there_is_no_offer_90_task():
    # An LTS-C from the first day: no OFFER-90 Task, only a later AVAIL-REQUEST one.
    care_plan = {
        "resourceType": "CarePlan",
        "id": "plan-m1",
        "subject": ref("Patient/mbr-m1"),
        "period": {"start": "2025-07-01"},
    }
    request = offer_task("offer-m1-request-1", ["AVAIL-REQUEST"], "2026-09-01", "2026-09-15")
    members, offers = rows_from_fhir([PLAN, PATIENT, care_plan, request])
    assert [(m["enrollment_start"], m["enrollment_end"]) for m in members] == [
        (date(2025, 7, 1), None)
    ]
    assert [o["trigger"] for o in offers] == ["AVAIL-REQUEST"]


def test_report_second_offer_90_task_starts_a_second_enrollment():
    first = offer_task("offer-m1-enrollment-1", ["OFFER-90"], "2024-01-01", "2024-03-31")
    second = offer_task("offer-m1-enrollment-2", ["OFFER-90"], "2026-07-01", "2026-09-29")
    members, _ = rows_from_fhir([PLAN, PATIENT, first, second])
    assert [(m["enrollment_start"], m["enrollment_end"]) for m in members] == [
        (date(2024, 1, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), None),
    ]
