"""The synthetic export generator: deterministic, realistic, always valid."""

from __future__ import annotations

import argparse
import copy
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.errors import InvalidRequest
from adapter.records import read_exports
from adapter.records.command import run_generate
from adapter.records.defaults import with_defaults
from adapter.records.generator import generate_export
from adapter.records.synthetic_data import PLACES
from adapter.records.writers import write_export


def test_same_seed_gives_the_same_bytes():
    first = orjson.dumps(generate_export(30, seed=9))
    assert orjson.dumps(generate_export(30, seed=9)) == first
    assert orjson.dumps(generate_export(30, seed=10)) != first


def test_cbo_types_directory_has_eight_to_twelve_cbos_of_all_four_types():
    directory = generate_export(0, seed=1)["directory"]
    assert 8 <= len(directory["cbos"]) <= 12
    assert {c["type"] for c in directory["cbos"]} == {"ILC", "RLC", "ASAP", "other"}
    for cbo in directory["cbos"]:
        staff = [s for s in directory["ltsc_staff"] if s["cbo_id"] == cbo["cbo_id"]]
        assert staff, cbo["cbo_id"]
        assert set(cbo["service_area"]) <= set(PLACES)
    assert directory["care_coordinators"] and directory["vendors"]


def test_members_are_plausible_massachusetts_residents():
    members = [r["member"] for r in generate_export(200, seed=3)["members"]]
    for member in members:
        home = member["addresses"][0]
        assert home["state"] == "MA"
        assert (home["city"], home["postal_code"]) in {(c, z) for c, z, _ in PLACES[home["county"]]}
        assert "-555-01" in member["telecom"][0]["value"]
        assert 21 <= 2026 - int(member["birth_date"][:4]) <= 65
    assert len({m["preferred_language"] for m in members}) >= 6
    assert len({m["masshealth_id"] for m in members}) == len(members)


def test_choice_two_offers_name_two_cbos_unless_the_area_has_one():
    document = generate_export(300, seed=4)
    cbo_of = {s["staff_id"]: s["cbo_id"] for s in document["directory"]["ltsc_staff"]}
    for record in document["members"]:
        for offer in record["offers"]:
            if offer["fewer_choices_reason"] is None:
                assert len({cbo_of[s] for s in offer["choices"]}) == 2
            else:
                assert len(offer["choices"]) < 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), members=st.integers(0, 40))
def test_generated_exports_always_validate(seed, members):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        write_export(generate_export(members, seed), path, "json")
        result = read_exports([path])
    assert result.errors == []
    assert result.members_read == members and result.members_rejected == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), members=st.integers(0, 25))
def test_csv_written_then_read_round_trips(seed, members):
    document = generate_export(members, seed)
    with tempfile.TemporaryDirectory() as folder:
        json_path, csv_path = Path(folder) / "export.json", Path(folder) / "csv"
        write_export(document, json_path, "json")
        write_export(document, csv_path, "csv")
        from_json, from_csv = read_exports([json_path]), read_exports([csv_path])
    assert from_csv.errors == []
    # Reading fills the optional fields the generator leaves out (the EHR-document ones).
    expected = [with_defaults(copy.deepcopy(m), "member_record") for m in document["members"]]
    assert from_csv.exports[0].members == expected
    assert from_csv.exports[0].members == from_json.exports[0].members
    assert from_csv.exports[0].directory == document["directory"]


@pytest.mark.parametrize("form", ["json", "ndjson", "csv"])
def test_generate_command_writes_a_readable_export(form, tmp_path):
    output = tmp_path / f"out.{form}"
    args = argparse.Namespace(members=12, seed=5, output=str(output), format=form)
    assert run_generate(args) == 0
    result = read_exports([output])
    assert result.errors == [] and result.members_read == 12


def test_generate_command_refuses_a_negative_member_count(tmp_path):
    args = argparse.Namespace(members=-1, seed=5, output=str(tmp_path / "x.json"), format="json")
    with pytest.raises(InvalidRequest, match="--members"):
        run_generate(args)


def test_generate_command_refuses_a_missing_folder(tmp_path):
    output = tmp_path / "nowhere" / "x.json"
    args = argparse.Namespace(members=1, seed=5, output=str(output), format="json")
    with pytest.raises(InvalidRequest, match="does not exist"):
        run_generate(args)
