"""Resource ids and fullUrls are deterministic and readable (docs/architecture.md §4)."""

from __future__ import annotations

import re

from adapter.mapping.ids import MAX_ID_LENGTH, full_url, resource_id


def test_resource_id_joins_lowercases_and_replaces_other_characters() -> None:
    assert resource_id("goal", "M100001", "G_1/a b") == "goal-m100001-g-1-a-b"


def test_resource_id_keeps_dots_and_dashes() -> None:
    assert resource_id("cbo", "Mass.Ability-1") == "cbo-mass.ability-1"


def test_long_ids_are_hashed_to_the_fhir_limit_and_stay_distinct() -> None:
    first = resource_id("svc", "x" * 80)
    second = resource_id("svc", "x" * 79 + "y")
    assert len(first) == MAX_ID_LENGTH
    assert re.fullmatch(r"[a-z0-9.-]+", first)
    assert first != second
    assert first == resource_id("svc", "x" * 80)


def test_an_id_of_exactly_the_limit_is_kept_as_is() -> None:
    text = "a" * MAX_ID_LENGTH
    assert resource_id(text) == text


def test_full_url_is_the_absolute_url_that_type_and_id_references_resolve_to() -> None:
    url = full_url("Patient", "mbr-m100001")
    assert url == "https://ltsc-adapter.org/fhir/Patient/mbr-m100001"
    assert url.endswith("/Patient/mbr-m100001")
    assert url != full_url("Practitioner", "mbr-m100001")
