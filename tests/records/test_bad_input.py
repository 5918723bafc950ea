"""Every reader turns bad input into RecordErrors with a file, a location and a field."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.records import read_exports
from tests.records.helpers import FORMS, member_location, write_form


def errors_at(result, file: str, location: str) -> list:
    return [e for e in result.errors if (e.file, e.location) == (file, location)]


@pytest.mark.parametrize("form", FORMS)
def test_missing_required_field_rejects_the_member(form, small_export, tmp_path):
    del small_export["members"][1]["member"]["birth_date"]
    path = write_form(small_export, form, tmp_path)
    result = read_exports([path])
    [error] = result.errors
    assert (error.file, error.location) == member_location(form, path, 1)
    assert error.field == "member.birth_date"
    assert error.message == "is required"
    assert (result.members_read, result.members_rejected) == (4, 1)
    kept = [m["member"]["member_id"] for m in result.exports[0].members]
    assert kept == ["M200001", "M200003", "M200004"]


@pytest.mark.parametrize("form", FORMS)
def test_wrong_type_is_reported_with_its_field(form, small_export, tmp_path):
    small_export["members"][2]["member"]["interpreter_needed"] = "yes"
    path = write_form(small_export, form, tmp_path)
    result = read_exports([path])
    [error] = result.errors
    assert (error.file, error.location) == member_location(form, path, 2)
    assert error.field == "member.interpreter_needed"
    assert "true or false" in error.message
    assert result.members_rejected == 1


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("bad", ["1971-02-30", "03/14/1971", "1971-3-14"])
def test_bad_date_is_reported(form, bad, small_export, tmp_path):
    small_export["members"][0]["member"]["birth_date"] = bad
    path = write_form(small_export, form, tmp_path)
    [error] = read_exports([path]).errors
    assert (error.file, error.location) == member_location(form, path, 0)
    assert error.field == "member.birth_date"
    assert "YYYY-MM-DD" in error.message


@pytest.mark.parametrize("form", FORMS)
def test_instant_without_offset_is_reported(form, small_export, tmp_path):
    small_export["export"]["generated_at"] = "2026-11-01T06:00:00"
    path = write_form(small_export, form, tmp_path)
    result = read_exports([path])
    error = next(e for e in result.errors if e.field)
    assert error.field == "export.generated_at"
    assert "offset" in error.message
    assert result.exports == [] and result.members_rejected == 4


def _header_location(form: str, path: Path, kind: str, index: int) -> tuple[str, str]:
    if form == "json":
        return str(path), f"/directory/{kind}/{index}"
    if form == "ndjson":
        return str(path), "line 1"
    return str(path / f"{kind}.csv"), f"row {index + 2}"


@pytest.mark.parametrize("form", FORMS)
def test_unknown_cbo_drops_the_staff_entry_and_its_members(form, small_export, tmp_path):
    offered = next(o["choices"][0] for m in small_export["members"] for o in m["offers"])
    all_staff = small_export["directory"]["ltsc_staff"]
    index = next(i for i, s in enumerate(all_staff) if s["staff_id"] == offered)
    staff = all_staff[index]
    staff["cbo_id"] = "NO-SUCH-CBO"
    uses = [
        i
        for i, m in enumerate(small_export["members"])
        if any(staff["staff_id"] in o["choices"] for o in m["offers"])
    ]
    assert uses
    path = write_form(small_export, form, tmp_path)
    result = read_exports([path])
    error = result.errors[0]
    assert (error.file, error.location) == _header_location(form, path, "ltsc_staff", index)
    assert error.field == f"directory.ltsc_staff[{index}].cbo_id"
    assert "NO-SUCH-CBO" in error.message
    directory = result.exports[0].directory
    assert staff["staff_id"] not in [s["staff_id"] for s in directory["ltsc_staff"]]
    assert result.members_rejected == len(uses)


@pytest.mark.parametrize("form", FORMS)
def test_duplicate_member_id_is_rejected(form, small_export, tmp_path):
    small_export["members"][2]["member"]["member_id"] = "M200001"
    path = write_form(small_export, form, tmp_path)
    result = read_exports([path])
    file, location = member_location(form, path, 2)
    [duplicate] = [e for e in errors_at(result, file, location) if e.field == "member.member_id"]
    assert "already appears at" in duplicate.message
    ids = [m["member"]["member_id"] for m in result.exports[0].members]
    assert ids.count("M200001") <= 1
    assert "M200003" not in ids


def test_truncated_json_is_one_file_error(small_export, tmp_path):
    path = write_form(small_export, "json", tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    result = read_exports([path])
    [error] = result.errors
    assert error.file == str(path)
    assert error.location.startswith("line ")
    assert int(error.location.split()[1]) > 1
    assert "cut short" in error.message
    assert result.exports == []


def test_truncated_ndjson_rejects_only_the_cut_member(small_export, tmp_path):
    path = write_form(small_export, "ndjson", tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])
    result = read_exports([path])
    [error] = result.errors
    assert (error.file, error.location, error.field) == (str(path), "line 5", "")
    assert "cut short" in error.message
    assert (result.members_read, result.members_rejected) == (4, 1)
    assert len(result.exports[0].members) == 3


def test_truncated_csv_row_rejects_its_member(small_export, tmp_path):
    path = write_form(small_export, "csv", tmp_path)
    members = path / "members.csv"
    text = members.read_text(encoding="utf-8")
    members.write_text(text[: text.rindex("\n", 0, -1) + 1 + 20], encoding="utf-8")
    result = read_exports([path])
    cut = [e for e in result.errors if e.location == "row 5" and e.file == str(members)]
    assert cut and cut[0].field == "member"
    assert "cut short" in cut[0].message
    assert result.members_rejected == 1
    assert [m["member"]["member_id"] for m in result.exports[0].members][-1] == "M200003"


def _mis_encode(path: Path, text: str) -> None:
    data = path.read_bytes()
    assert text.encode("utf-8") in data
    path.write_bytes(data.replace(text.encode("utf-8"), text.encode("latin-1")))


def test_wrong_encoding_in_json_names_the_line(small_export, tmp_path):
    small_export["members"][1]["member"]["name"]["family"] = "Pérez"
    path = write_form(small_export, "json", tmp_path)
    line = 1 + path.read_text(encoding="utf-8").split("Pérez")[0].count("\n")
    _mis_encode(path, "Pérez")
    [error] = read_exports([path]).errors
    assert (error.file, error.location) == (str(path), f"line {line}")
    assert "UTF-8" in error.message


def test_wrong_encoding_in_ndjson_rejects_that_member(small_export, tmp_path):
    small_export["members"][1]["member"]["name"]["family"] = "Pérez"
    path = write_form(small_export, "ndjson", tmp_path)
    _mis_encode(path, "Pérez")
    result = read_exports([path])
    [error] = result.errors
    assert (error.location, error.field) == ("line 3", "")
    assert "UTF-8" in error.message
    assert result.members_rejected == 1


def test_wrong_encoding_in_csv_names_the_cell(small_export, tmp_path):
    small_export["members"][1]["member"]["name"]["family"] = "Pérez"
    path = write_form(small_export, "csv", tmp_path)
    _mis_encode(path / "members.csv", "Pérez")
    result = read_exports([path])
    [error] = result.errors
    assert (error.file, error.location) == (str(path / "members.csv"), "row 3")
    assert error.field == "member.name.family"
    assert "UTF-8" in error.message
    assert result.members_rejected == 1


@pytest.mark.parametrize("form", ["json", "ndjson"])
def test_missing_file_is_an_error(form, tmp_path):
    path = tmp_path / f"absent.{form}"
    result = read_exports([path])
    assert [(e.file, e.message) for e in result.errors] == [(str(path), "file not found")]
    assert result.exports == [] and result.members_read == 0


@pytest.mark.parametrize("form", FORMS)
def test_empty_file_is_an_error(form, small_export, tmp_path):
    path = write_form(small_export, form, tmp_path)
    empty = path / "offers.csv" if form == "csv" else path
    empty.write_bytes(b"  \n")
    result = read_exports([path])
    assert [(e.file, e.message) for e in result.errors] == [(str(empty), "file is empty")]
    assert result.exports == []


def test_missing_csv_file_refuses_the_export(small_export, tmp_path):
    path = write_form(small_export, "csv", tmp_path)
    (path / "goals.csv").unlink()
    result = read_exports([path])
    assert [(e.file, e.message) for e in result.errors] == [
        (str(path / "goals.csv"), "file not found")
    ]
    assert result.exports == []


def test_csv_column_misspelled_is_named(small_export, tmp_path):
    path = write_form(small_export, "csv", tmp_path)
    members = path / "members.csv"
    members.write_text(members.read_text().replace("birth_date", "birthdate", 1))
    [error] = read_exports([path]).errors
    assert (error.file, error.location) == (str(members), "row 1")
    assert "missing column(s) birth_date" in error.message
    assert "unknown column(s) birthdate" in error.message


def test_invalid_json_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('{"export": {,}}')
    [error] = read_exports([path]).errors
    assert error.location == "line 1"
    assert error.message.startswith("not valid JSON")


def test_json_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "export.json"
    path.write_text("[1, 2, 3]")
    [error] = read_exports([path]).errors
    assert (error.location, error.field) == ("/", "")
    assert '"members" list' in error.message
