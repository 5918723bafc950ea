"""The caseload view follows the store: built once, then only what was written since, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapter.canonical import profile_url
from adapter.store import Store, open_store
from adapter.webapp.caseload import CaseloadIndex
from tests.store.conftest import postgres_schema_url  # noqa: F401 - a fixture used below


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bare_store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:
    url = (
        f"sqlite:///{tmp_path}/store.db"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_schema_url")
    )
    opened = open_store(url)
    yield opened
    opened.close()


def patient(family: str) -> dict:
    return {
        "resourceType": "Patient",
        "id": "mbr-m900001",
        "identifier": [
            {
                "system": "https://ltsc-adapter.org/fhir/NamingSystem/plan-member-id",
                "value": "M900001",
            }
        ],
        "name": [{"family": family, "given": ["Ana"]}],
        "birthDate": "1970-01-02",
        "telecom": [{"system": "phone", "value": "617-555-0100"}],
        "communication": [{"language": {"coding": [{"code": "pt"}]}, "preferred": True}],
    }


def offer_task(status: str) -> dict:
    return {
        "resourceType": "Task",
        "id": "offer-m900001-enrollment-1",
        "meta": {"profile": [profile_url("ltsc-offer-task")]},
        "status": status,
        "intent": "order",
        "for": {"reference": "Patient/mbr-m900001"},
        "owner": {"reference": "PractitionerRole/role-cc-0001"},
        "reasonCode": {
            "coding": [
                {
                    "system": "https://ltsc-adapter.org/fhir/CodeSystem/offer-trigger",
                    "code": "OFFER-90",
                },
                {
                    "system": "https://ltsc-adapter.org/fhir/CodeSystem/offer-trigger",
                    "code": "OFFER-90",
                },
            ]
        },
        "restriction": {"period": {"end": "2026-11-30"}},
    }


def test_the_view_is_built_then_follows_updates_and_deletes(bare_store):
    bare_store.update("Patient", "mbr-m900001", patient("Souza"))
    bare_store.update("Task", "offer-m900001-enrollment-1", offer_task("ready"))
    view = CaseloadIndex(bare_store)
    view.refresh()
    member = view.members["mbr-m900001"]
    assert (member.name, member.member_id, member.language) == (
        "Ana Souza",
        "M900001",
        "Portuguese",
    )
    task = view.tasks["offer-m900001-enrollment-1"]
    assert task.reasons == ["Within 90 days of enrollment"]  # once, in our CodeSystem's words
    assert view.open_tasks("mbr-m900001") == [task]
    assert view.members_of_role("PractitionerRole/role-cc-0001") == {"mbr-m900001"}

    bare_store.update("Patient", "mbr-m900001", patient("Souza-Lima"))
    bare_store.update("Task", "offer-m900001-enrollment-1", offer_task("completed"))
    view.refresh()
    assert view.members["mbr-m900001"].name == "Ana Souza-Lima"
    assert view.open_tasks("mbr-m900001") == []

    bare_store.delete("Task", "offer-m900001-enrollment-1")
    bare_store.delete("Patient", "mbr-m900001")
    view.refresh()
    assert view.tasks == {} and "mbr-m900001" not in view.members
    view.refresh()  # nothing new: nothing changes
    assert view.tasks == {}
