"""Referential integrity: no reference in a mapped Bundle dangles (every `Type/id` resolves to
an entry of the same Bundle), over the samples and a generated export of 2,000 members."""

from __future__ import annotations

from adapter.mapping.pipeline import map_export_checked
from adapter.records import read_exports
from adapter.records.generator import generate_export
from adapter.validation.integrity import dangling_references, references_in

from .conftest import GOLDEN_DIR

SAMPLE = GOLDEN_DIR.parents[2] / "samples" / "plan-export.json"
GENERATED_MEMBERS = 2000


def _walk(plan_export) -> tuple[int, list[str]]:
    """(references walked, the dangling ones as `member: path -> reference`)."""
    walked, dangling = 0, []
    for mapped in map_export_checked(plan_export, check=False):
        for entry in mapped.bundle["entry"]:
            walked += sum(1 for _ in references_in(entry["resource"], "resource"))
        dangling += [
            f"{mapped.member_id}: {i.expression[0]} {i.message}"
            for i in dangling_references(mapped.bundle)
        ]
    return walked, dangling


def test_denied_alt_no_reference_dangles_in_the_sample_bundles():
    (plan_export,) = read_exports([SAMPLE]).exports
    walked, dangling = _walk(plan_export)
    assert walked > 1000
    assert dangling == []


def test_denied_alt_no_reference_dangles_in_a_generated_export_of_2000_members():
    walked, dangling = _walk(generate_export(GENERATED_MEMBERS, seed=16))
    assert walked > GENERATED_MEMBERS * 20
    assert dangling == []


def test_every_entry_full_url_is_what_type_and_id_references_resolve_to():
    (plan_export,) = read_exports([SAMPLE]).exports
    mapped = next(map_export_checked(plan_export, check=False))
    for entry in mapped.bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
        assert entry["request"]["url"] == f"{resource['resourceType']}/{resource['id']}"


def test_a_reference_to_a_missing_entry_is_reported_with_its_path():
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "https://ltsc-adapter.org/fhir/Task/t1",
                "resource": {
                    "resourceType": "Task",
                    "id": "t1",
                    "focus": {"reference": "ServiceRequest/missing"},
                    "for": {"reference": "Patient/p1"},
                },
            }
        ],
    }
    (issue,) = dangling_references(bundle, known=lambda kind, rid: kind == "Patient")
    assert issue.code == "not-found"
    assert issue.expression == ("Bundle.entry[0].resource.focus.reference",)
    assert "ServiceRequest/missing" in issue.message


def test_the_validator_reports_a_dangling_local_reference_in_a_bundle_as_an_error():
    from adapter.validation import default_validator

    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "https://ltsc-adapter.org/fhir/Task/t1",
                "request": {"method": "PUT", "url": "Task/t1"},
                "resource": {
                    "resourceType": "Task",
                    "id": "t1",
                    "status": "requested",
                    "intent": "order",
                    "focus": {"reference": "ServiceRequest/missing"},
                },
            }
        ],
    }
    found = [
        i for i in default_validator().validate(bundle) if i.is_error and i.code == "not-found"
    ]
    assert [i.expression for i in found] == [("Bundle.entry[0].resource.focus.reference",)]


def test_offer_90_every_offer_task_has_one_reason_and_every_communication_an_about():
    # One reason per trigger: each offer Task answers one obligation, so it names one trigger.
    (plan_export,) = read_exports([SAMPLE]).exports
    tasks = communications = 0
    for mapped in map_export_checked(plan_export, check=False):
        for entry in mapped.bundle["entry"]:
            resource = entry["resource"]
            if resource["id"].startswith("offer-"):
                tasks += 1
                assert len(resource["reasonCode"]["coding"]) == 1, resource["id"]
            if resource["resourceType"] == "Communication":
                communications += 1
                assert resource["about"], resource["id"]
    assert tasks > 45 and communications > 10
