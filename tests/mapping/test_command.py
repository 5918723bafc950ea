"""`ltsc-adapter map`: files per member, NDJSON, XML, the summary and the exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from adapter.cli import main
from adapter.mapping.batch import MemberMapper
from adapter.outcome import Issue

from .conftest import BASIC_SCENARIO, GOLDEN_DIR

CHANGE_SCENARIO = GOLDEN_DIR / "ltsc-change-denied"


def run_map(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["map", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def summary_of(out: str) -> dict:
    """The `--summary json` line on stdout."""
    return json.loads(out.splitlines()[-1])


def test_json_writes_one_validated_bundle_per_member(tmp_path: Path, capsys) -> None:
    inputs = [str(BASIC_SCENARIO / "input.json"), str(CHANGE_SCENARIO / "input.json")]
    code, out, err = run_map(capsys, *inputs, "-o", str(tmp_path), "--summary", "json")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "M100001.json",
        "M200001.json",
        "M200002.json",
    ]
    bundle = json.loads((tmp_path / "M100001.json").read_text())
    assert bundle["type"] == "transaction"
    summary = summary_of(out)
    assert summary["members_mapped"] == 3
    assert summary["bundles_invalid"] == 0
    assert "members mapped" in err  # the table for people


def test_rerunning_an_export_rewrites_identical_bytes(tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    run_map(capsys, str(BASIC_SCENARIO / "input.json"), "-o", str(first), "--no-validate")
    run_map(capsys, str(BASIC_SCENARIO / "input.json"), "-o", str(second), "--no-validate")
    assert (first / "M100001.json").read_bytes() == (second / "M100001.json").read_bytes()


def test_ndjson_writes_one_bundle_per_line(tmp_path: Path, capsys) -> None:
    code, _, _ = run_map(
        capsys, str(CHANGE_SCENARIO / "input.json"), "-o", str(tmp_path), "--format", "ndjson"
    )
    lines = (tmp_path / "bundles.ndjson").read_text().splitlines()
    assert code == 0
    assert [json.loads(line)["entry"][-1]["resource"]["id"] for line in lines] == [
        "prov-m200001",
        "prov-m200002",
    ]


def test_xml_writes_fhir_xml_per_member(tmp_path: Path, capsys) -> None:
    code, _, _ = run_map(
        capsys, str(BASIC_SCENARIO / "input.json"), "-o", str(tmp_path), "--format", "xml"
    )
    root = etree.parse(str(tmp_path / "M100001.xml")).getroot()
    assert code == 0
    assert root.tag == "{http://hl7.org/fhir}Bundle"


def test_rejected_records_are_listed_and_exit_one(tmp_path: Path, capsys) -> None:
    document = json.loads((BASIC_SCENARIO / "input.json").read_text())
    broken = json.loads(json.dumps(document["members"][0]))
    broken["member"]["member_id"] = "M100002"
    broken["member"]["birth_date"] = "14/03/1971"
    document["members"].append(broken)
    source = tmp_path / "export.json"
    source.write_text(json.dumps(document))
    code, out, err = run_map(capsys, str(source), "-o", str(tmp_path / "out"), "--summary", "json")
    assert code == 1
    assert f"{source}:/members/1: " in err
    assert "birth_date" in err
    summary = summary_of(out)
    assert (summary["member_records_rejected"], summary["record_errors"]) == (1, 1)
    assert (tmp_path / "out" / "M100001.json").exists()


def test_an_invalid_bundle_is_reported_not_written_and_counted(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    def refuse_patients(_mapper, bundle: dict) -> list[Issue]:
        return [Issue("error", "invariant", "no patients today", ("Bundle.entry[10].resource",))]

    monkeypatch.setattr(MemberMapper, "validator", refuse_patients)
    out_dir = tmp_path / "out"
    code, out, err = run_map(
        capsys, str(BASIC_SCENARIO / "input.json"), "-o", str(out_dir), "--summary", "json"
    )
    assert code == 1
    assert summary_of(out)["invalid_members"] == ["M100001"]
    assert list(out_dir.iterdir()) == []
    assert "M100001: error: Bundle.entry[10].resource: no patients today" in err


def test_model_check_is_opt_in(tmp_path: Path, capsys, monkeypatch) -> None:
    def refused_by_models(bundle: dict) -> list[Issue]:
        return [Issue("error", "structure", "not R4 today", ("Bundle.entry[0].resource",))]

    monkeypatch.setattr("adapter.mapping.pipeline.check_bundle", refused_by_models)
    source = str(BASIC_SCENARIO / "input.json")
    code, _, _ = run_map(capsys, source, "-o", str(tmp_path / "a"), "--no-validate")
    assert code == 0
    checked, _, err = run_map(
        capsys, source, "-o", str(tmp_path / "b"), "--no-validate", "--model-check"
    )
    assert checked == 1
    assert "M100001: error: Bundle.entry[0].resource: not R4 today" in err


def test_no_validate_skips_the_profile_check(tmp_path: Path, capsys) -> None:
    shutil.copy(BASIC_SCENARIO / "input.json", tmp_path / "export.json")
    code, out, _ = run_map(
        capsys,
        str(tmp_path / "export.json"),
        "-o",
        str(tmp_path),
        "--no-validate",
        "--summary",
        "json",
    )
    assert code == 0
    assert summary_of(out)["bundles_written"] == 1
