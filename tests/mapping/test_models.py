"""The fhir.resources R4B model check locates what it refuses."""

from __future__ import annotations

from adapter.mapping.models import check_bundle, check_resource


def test_a_valid_resource_has_no_issues() -> None:
    assert check_resource({"resourceType": "Patient", "id": "p", "gender": "female"}) == []


def test_a_wrong_type_is_an_error_at_its_path() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "ok"}},
            {"resource": {"resourceType": "Patient", "id": "p", "birthDate": "not a date"}},
        ],
    }
    (issue,) = check_bundle(bundle)
    assert issue.severity == "error"
    assert issue.expression == ("Bundle.entry[1].resource.birthDate",)


def test_an_unknown_resource_type_is_reported() -> None:
    (issue,) = check_resource({"resourceType": "Patients"})
    assert "unknown resource type" in issue.message
