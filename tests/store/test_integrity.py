"""Writes that must fail loudly or succeed whole: index failures, NUL bytes, integrity errors."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

from adapter.errors import Unprocessable
from adapter.store.database import is_contention
from adapter.store.paths import compile_expression


def test_an_expression_that_fails_on_a_resource_fails_the_write():
    """A resource left out of the search index would let a deny Consent go unseen."""
    walk = compile_expression("Patient.name.where(family.matches('['))", "Patient")
    with pytest.raises(Unprocessable) as raised:
        walk({"resourceType": "Patient", "name": [{"family": "x"}]})
    assert "cannot be indexed" in raised.value.message


def test_a_nul_byte_in_a_searchable_value_is_stored_on_every_database(store):
    made = store.create({"resourceType": "Patient", "name": [{"family": "a\x00b"}]})
    assert store.read("Patient", made.id).resource["name"][0]["family"] == "a\x00b"


def _integrity(message: str) -> IntegrityError:
    return IntegrityError("INSERT ...", {}, sqlite3.IntegrityError(message))


def test_only_unique_key_collisions_count_as_concurrent_writes():
    unique = "UNIQUE constraint failed: resource_version.res_type, resource_version.res_id"
    assert is_contention(_integrity(unique))
    assert not is_contention(_integrity("NOT NULL constraint failed: resource_current.content"))
