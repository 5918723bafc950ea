"""The plan-export JSON Schema, its date and instant checks, and the fast yes/no check."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from adapter.records.generator import generate_export
from adapter.records.schema import (
    fast_check,
    field_path,
    is_date,
    is_instant,
    schema_document,
    schema_errors,
    validator,
)

_EXPORT = generate_export(30, seed=12)
_RECORDS = _EXPORT["members"]
_HEADER = {"export": _EXPORT["export"], "directory": _EXPORT["directory"]}


def test_schema_is_valid_draft_2020_12():
    document = schema_document()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("value", ["2024-02-29", "2026-11-01", "1958-12-31"])
def test_real_dates_pass(value):
    assert is_date(value)


@pytest.mark.parametrize("value", ["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "", None])
def test_impossible_or_malformed_dates_fail(value):
    assert not is_date(value)


@pytest.mark.parametrize(
    "value", ["2026-11-01T06:00:00Z", "2026-05-21T14:05:00-04:00", "2026-05-21T14:05:00.123+00:00"]
)
def test_instants_with_an_offset_pass(value):
    assert is_instant(value)


@pytest.mark.parametrize(
    "value", ["2026-11-01T06:00:00", "2026-11-01", "2026-02-30T06:00:00Z", "2026-11-01 06:00Z"]
)
def test_instants_without_offset_or_impossible_fail(value):
    assert not is_instant(value)


def test_field_path_reads_like_the_record():
    assert field_path(("offers", 0, "choices", 1)) == "offers[0].choices[1]"
    assert field_path(("member", "birth_date")) == "member.birth_date"
    assert field_path(()) == ""


def test_nested_optional_object_errors_name_the_inner_field():
    record = copy.deepcopy(_RECORDS[0])
    record["status_events"] = [
        {"event_id": "EV-1", "type": "address-change", "date": "2026-01-01",
         "address": {"line": ["1 Main St"], "city": "Salem", "state": "Massachusetts"}}
    ]  # fmt: skip
    assert schema_errors("member_record", record) == [
        (("status_events", 0, "address", "postal_code"), "is required"),
        (("status_events", 0, "address", "state"), 'has the wrong form; got "Massachusetts"'),
    ]


# Values that break some field somewhere: wrong types, empties, bad dates, unknown codes.
_BAD_VALUES = st.sampled_from(
    [None, "", 0, 1.5, True, [], {}, "2026-02-30", "x", ["x"], [""], {"x": 1}, "C9", -1]
)


@st.composite
def mutated(draw, originals):
    record = copy.deepcopy(draw(st.sampled_from(originals)))
    target = record
    path = []
    while isinstance(target, (dict, list)) and target:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        key = draw(st.sampled_from(keys))
        path.append(key)
        if not isinstance(target[key], (dict, list)) or draw(st.booleans()):
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "delete" and isinstance(target, dict):
                del target[key]
            elif action == "add" and isinstance(target, dict):
                target["unexpected_field"] = 1
            else:
                target[key] = draw(_BAD_VALUES)
            break
        target = target[key]
    return record


@settings(max_examples=400, deadline=None)
@given(mutated(_RECORDS))
def test_fast_check_agrees_with_jsonschema_on_members(record):
    assert fast_check("member_record")(record) == validator("member_record").is_valid(record)


@settings(max_examples=200, deadline=None)
@given(mutated([_HEADER]))
def test_fast_check_agrees_with_jsonschema_on_headers(header):
    assert fast_check("header")(header) == validator("header").is_valid(header)


def test_fast_check_accepts_what_jsonschema_accepts():
    for record in _RECORDS:
        assert fast_check("member_record")(record)
        assert validator("member_record").is_valid(record)
