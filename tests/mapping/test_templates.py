"""Template directives and the rule that empty elements vanish."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.mapping.errors import SpecError
from adapter.mapping.templates import TemplateCompiler

FRAGMENTS = {
    "_period": {"start": "=it.start", "end": "=it.end"},
    "_loop": {"$use": "_loop"},
}


def build(template: Any, **scope: Any) -> Any:
    compiler = TemplateCompiler({}, FRAGMENTS, {"base": "https://x.test"})
    return compiler.compile(template)(scope)


def test_missing_values_and_empty_containers_are_left_out() -> None:
    template = {"status": "active", "note": [{"text": "=x.note"}], "period": {"end": "=x.end"}}
    assert build(template, x={}) == {"status": "active"}


def test_false_and_zero_are_kept() -> None:
    assert build({"active": "=x.active", "count": "=x.n"}, x={"active": False, "n": 0}) == {
        "active": False,
        "count": 0,
    }


def test_each_splices_into_a_list_and_binds_its_name() -> None:
    template = ["first", {"$each": "=x.ids", "$as": "i", "$do": {"id": "=i"}}]
    assert build(template, x={"ids": ["a", "b"]}) == ["first", {"id": "a"}, {"id": "b"}]


def test_if_else_chooses_by_the_test() -> None:
    template = {"$if": "=x.flag", "$do": "yes", "$else": "no"}
    assert build(template, x={"flag": True}) == "yes"
    assert build(template, x={"flag": None}) == "no"


def test_use_applies_a_fragment_to_the_value_given() -> None:
    template = {"period": {"$use": "_period", "$with": "=x.p"}}
    assert build(template, x={"p": {"start": "2026-01-01"}}) == {"period": {"start": "2026-01-01"}}
    assert build(template, x={}) is None


def test_ref_builds_a_normalized_relative_reference() -> None:
    template = {"$ref": "Patient/mbr-{x.member_id}"}
    assert build(template, x={"member_id": "M 100_001"}) == {"reference": "Patient/mbr-m-100-001"}
    assert build(template, x={}) is None


def test_interpolation_of_a_missing_value_gives_nothing() -> None:
    assert build("{base}/NamingSystem/x") == "https://x.test/NamingSystem/x"
    assert build("{x.a}/{x.b}", x={"a": "1"}) is None


def test_literal_keeps_a_string_that_looks_like_an_expression() -> None:
    assert build({"$literal": "=not-an-expression"}) == "=not-an-expression"


def test_a_fragment_that_uses_itself_is_refused() -> None:
    with pytest.raises(SpecError, match="uses itself"):
        build({"$use": "_loop"})


def test_an_unknown_fragment_is_refused() -> None:
    with pytest.raises(SpecError, match="unknown fragment"):
        build({"$use": "_nothing"})


def test_values_taken_from_the_input_are_copies() -> None:
    given = ["Maria", "L."]
    built = build({"name": [{"given": "=x.given"}], "alias": ["=x.given"]}, x={"given": given})
    built["name"][0]["given"].append("changed")
    built["alias"][0].append("changed")
    assert given == ["Maria", "L."]
