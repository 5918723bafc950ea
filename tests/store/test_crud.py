"""Create, read, update, delete and version reads, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from adapter.errors import Gone, InvalidRequest, NotFound, PreconditionFailed


def patient(**extra):
    return {"resourceType": "Patient", "name": [{"family": "Santos", "given": ["Maria"]}], **extra}


def test_create_assigns_new_id_and_version_one(store):
    outcome = store.create(patient(id="client-chosen"))
    assert outcome.status == "created"
    assert outcome.id != "client-chosen"
    assert outcome.version_id == "1"
    assert outcome.resource["meta"]["versionId"] == "1"
    assert outcome.resource["meta"]["lastUpdated"].endswith("Z")
    stored = store.read("Patient", outcome.id)
    assert stored.resource == outcome.resource
    assert stored.last_updated == outcome.last_updated
    assert stored.last_updated.tzinfo is not None


def test_update_creates_then_versions(store):
    first = store.update("Patient", "mbr-m1", patient())
    second = store.update("Patient", "mbr-m1", patient(gender="female"))
    assert (first.status, first.version_id) == ("created", "1")
    assert (second.status, second.version_id) == ("updated", "2")
    assert second.last_updated > first.last_updated
    assert store.read("Patient", "mbr-m1").resource["gender"] == "female"
    assert "gender" not in store.vread("Patient", "mbr-m1", "1").resource


def test_update_with_same_content_is_unchanged(store):
    first = store.update("Patient", "mbr-m1", patient())
    again = store.update("Patient", "mbr-m1", {**first.resource})
    assert again.status == "unchanged"
    assert again.version_id == "1"
    assert store.history("Patient", "mbr-m1").total == 1


def test_update_keeps_other_meta_but_sets_version(store):
    body = patient(
        meta={"profile": ["https://ltsc-adapter.org/fhir/StructureDefinition/x"], "versionId": "99"}
    )
    outcome = store.update("Patient", "p1", body)
    assert outcome.resource["meta"]["versionId"] == "1"
    assert outcome.resource["meta"]["profile"] == body["meta"]["profile"]


def test_if_match_must_equal_current_version(store):
    store.update("Patient", "p1", patient())
    with pytest.raises(PreconditionFailed):
        store.update("Patient", "p1", patient(gender="male"), if_match='W/"2"')
    outcome = store.update("Patient", "p1", patient(gender="male"), if_match='W/"1"')
    assert outcome.version_id == "2"


def test_if_match_on_missing_resource_fails(store):
    with pytest.raises(PreconditionFailed):
        store.update("Patient", "nobody", patient(), if_match='W/"1"')


def test_read_unknown_is_not_found(store):
    with pytest.raises(NotFound):
        store.read("Patient", "nobody")
    with pytest.raises(NotFound):
        store.vread("Patient", "nobody", "1")


def test_delete_then_read_is_gone_and_delete_again_is_fine(store):
    store.update("Patient", "p1", patient())
    deleted = store.delete("Patient", "p1")
    assert (deleted.status, deleted.version_id) == ("deleted", "2")
    with pytest.raises(Gone):
        store.read("Patient", "p1")
    again = store.delete("Patient", "p1")
    assert (again.status, again.version_id) == ("deleted", "2")
    assert store.delete("Patient", "never-was").status == "deleted"
    assert store.vread("Patient", "p1", "1").resource["name"][0]["family"] == "Santos"


def test_update_after_delete_recreates(store):
    store.update("Patient", "p1", patient())
    store.delete("Patient", "p1")
    outcome = store.update("Patient", "p1", patient())
    assert (outcome.status, outcome.version_id) == ("created", "3")


def test_delete_with_stale_if_match_fails(store):
    store.update("Patient", "p1", patient())
    store.update("Patient", "p1", patient(gender="male"))
    with pytest.raises(PreconditionFailed):
        store.delete("Patient", "p1", if_match='W/"1"')


@pytest.mark.parametrize("bad_id", ["", "has space", "x" * 65, "a/b"])
def test_update_refuses_bad_ids(store, bad_id):
    with pytest.raises(InvalidRequest):
        store.update("Patient", bad_id, patient())


def test_update_refuses_type_mismatch_and_unknown_types(store):
    with pytest.raises(InvalidRequest):
        store.update("Task", "t1", patient())
    with pytest.raises(InvalidRequest):
        store.create({"resourceType": "Spaceship"})
    with pytest.raises(InvalidRequest):
        store.create({"no": "type"})
