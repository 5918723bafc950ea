"""read_exports: the reader registry, referential checks, counts and normalized records."""

from __future__ import annotations

import pytest

from adapter.records import READERS, format_of, read_exports
from adapter.records.intake import reader_for
from tests.records.helpers import member_location, write_form


def test_registry_holds_the_three_plan_forms_and_ccda():
    assert sorted(READERS) == ["ccda", "csv", "json", "ndjson"]


def test_format_follows_the_path(tmp_path):
    assert format_of(tmp_path) == "csv"
    assert format_of(tmp_path / "x.ndjson") == "ndjson"
    assert format_of(tmp_path / "x.JSONL") == "ndjson"
    assert format_of(tmp_path / "x.json") == "json"
    assert format_of(tmp_path / "export.txt") == "json"


def test_unknown_format_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="known formats: ccda, csv, json, ndjson"):
        reader_for("xml")


def test_unknown_forced_format_becomes_a_record_error(small_export, tmp_path):
    path = write_form(small_export, "json", tmp_path)
    [error] = read_exports([path], fmt="hl7v2").errors
    assert error.file == str(path)
    assert "unknown plan-export format 'hl7v2'" in error.message


def test_several_paths_add_up(small_export, tmp_path):
    paths = [write_form(small_export, form, tmp_path) for form in ("json", "ndjson", "csv")]
    result = read_exports(paths)
    assert len(result.exports) == 3
    assert (result.members_read, result.members_rejected, result.members_accepted) == (12, 0, 12)
    assert [e.source for e in result.exports] == [str(p) for p in paths]


@pytest.mark.parametrize("form", ["json", "ndjson", "csv"])
def test_choice_two_unknown_offered_staff_rejects_the_member(form, small_export, tmp_path):
    record = small_export["members"][3]
    record["offers"] = [
        {"offer_id": "OF-1", "trigger": "OFFER-90", "offered_on": "2026-08-01",
         "choices": ["LTSC-0001", "LTSC-9999"], "outcome": None}
    ]  # fmt: skip
    path = write_form(small_export, form, tmp_path)
    result = read_exports([path])
    [error] = result.errors
    file, location = member_location(form, path, 3)
    if form == "csv":
        file, location = str(path / "offers.csv"), error.location
    assert (error.file, error.location) == (file, location)
    assert error.field == "offers[0].choices[1]"
    assert error.message == "no LTS-C 'LTSC-9999' in this export"


def test_csv_child_row_errors_point_at_their_own_file_and_row(small_export, tmp_path):
    small_export["members"][1]["enrollments"][0]["rating_category"] = "C9"
    path = write_form(small_export, "csv", tmp_path)
    [error] = read_exports([path]).errors
    assert (error.file, error.location) == (str(path / "enrollments.csv"), "row 3")
    assert error.field == "enrollments[0].rating_category"
    assert "F1, C3, C2, C1" in error.message


def test_recommend_goal_and_vendor_ids_must_resolve(small_export, tmp_path):
    record = small_export["members"][0]
    record["goals"] = []
    record["service_recommendations"] = [
        {"recommendation_id": "SR-1", "service_type": "respite", "recommended_on": "2026-05-01",
         "recommended_by": "CC-0001", "goal_ids": ["G-7"], "vendor_id": "V-NONE",
         "authorization": {"decision": "pending"}, "fulfillment_status": "pending",
         "alternative_for": "SR-0"}
    ]  # fmt: skip
    path = write_form(small_export, "json", tmp_path)
    fields = {e.field: e.message for e in read_exports([path]).errors}
    assert fields == {
        "service_recommendations[0].goal_ids[0]": "no goal 'G-7' in this export",
        "service_recommendations[0].vendor_id": "no vendor 'V-NONE' in this export",
        "service_recommendations[0].alternative_for": "no recommendation 'SR-0' in this export",
    }


def test_record_ids_repeat_within_a_member_is_an_error(small_export, tmp_path):
    record = small_export["members"][0]
    goal = {"goal_id": "G-1", "description": "x", "category": "health", "start": "2026-01-01",
            "status": "active", "expressed_by": "member"}  # fmt: skip
    record["goals"] = [goal, dict(goal)]
    record["service_recommendations"] = []
    path = write_form(small_export, "json", tmp_path)
    [error] = read_exports([path]).errors
    assert error.field == "goals[1].goal_id"
    assert "already used by goals[0]" in error.message


def test_staff_ids_are_unique_across_ltsc_and_care_coordinators(small_export, tmp_path):
    small_export["directory"]["care_coordinators"][0]["staff_id"] = "LTSC-0001"
    path = write_form(small_export, "json", tmp_path)
    errors = read_exports([path]).errors
    assert errors[0].location == "/directory/care_coordinators/0"
    assert errors[0].field == "directory.care_coordinators[0].staff_id"
    assert "already used by ltsc_staff[0]" in errors[0].message


def test_every_error_of_a_member_is_reported(small_export, tmp_path):
    member = small_export["members"][0]["member"]
    member.update(gender="f", masshealth_id="12", birth_date="1970-13-01")
    path = write_form(small_export, "json", tmp_path)
    fields = sorted(e.field for e in read_exports([path]).errors)
    assert fields == ["member.birth_date", "member.gender", "member.masshealth_id"]


def test_misspelled_field_is_named(small_export, tmp_path):
    small_export["members"][0]["member"]["brith_date"] = "1970-01-01"
    path = write_form(small_export, "json", tmp_path)
    [error] = read_exports([path]).errors
    assert error.field == "member.brith_date"
    assert "spelling" in error.message


def test_absent_optional_fields_read_as_empty(small_export, tmp_path):
    record = small_export["members"][0]
    for name in ("goals", "status_events", "communications"):
        del record[name]
    record["service_recommendations"] = []  # they point at the goals just removed
    del record["member"]["interpreter_needed"]
    del record["member"]["date_of_death"]
    path = write_form(small_export, "json", tmp_path)
    result = read_exports([path])
    assert result.errors == []
    read = result.exports[0].members[0]
    assert read["goals"] == [] and read["status_events"] == [] and read["communications"] == []
    assert read["member"]["interpreter_needed"] is False
    assert read["member"]["date_of_death"] is None


def test_ndjson_bad_line_rejects_only_its_member(small_export, tmp_path):
    path = write_form(small_export, "ndjson", tmp_path)
    lines = path.read_text().splitlines()
    lines[2] = '{"member": '
    path.write_text("\n".join(lines) + "\n")
    result = read_exports([path])
    [error] = result.errors
    assert (error.location, error.field) == ("line 3", "")
    assert (result.members_read, result.members_rejected) == (4, 1)


def test_unusable_header_refuses_every_member(small_export, tmp_path):
    del small_export["export"]["plan"]
    path = write_form(small_export, "ndjson", tmp_path)
    result = read_exports([path])
    assert result.errors[0].location == "line 1"
    assert result.errors[0].field == "export.plan"
    assert "4 member(s) not read" in result.errors[-1].message
    assert result.exports == [] and result.members_rejected == 4


def test_record_error_reads_as_one_line():
    from adapter.records import RecordError

    error = RecordError("a.csv", "row 3", "member.gender", "must be one of male, female")
    assert str(error) == "a.csv: row 3: member.gender: must be one of male, female"


def test_directory_errors_keep_original_positions_after_a_drop(small_export, tmp_path):
    directory = small_export["directory"]
    directory["cbos"][0]["type"] = "hospital"  # dropped first, by the schema
    later = next(i for i, s in enumerate(directory["ltsc_staff"]) if s["cbo_id"] != "MBIL")
    directory["ltsc_staff"][later]["cbo_id"] = "NOPE"
    path = write_form(small_export, "json", tmp_path)
    located = [(e.location, e.field) for e in read_exports([path]).errors if "directory" in e.field]
    assert located[0] == ("/directory/cbos/0", "directory.cbos[0].type")
    assert ("/directory/ltsc_staff/0", "directory.ltsc_staff[0].cbo_id") in located
    assert (f"/directory/ltsc_staff/{later}", f"directory.ltsc_staff[{later}].cbo_id") in located
