"""Feedback of the real command line: progress lines and summaries on stderr, `-q` silence,
JSON summaries on stdout, NDJSON and XML read by `validate` and `load`, empty lists said."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapter.cli import main
from adapter.mapping.output import bundle_xml
from tests.store.test_command import member_bundle

NARRATIVE = {
    "status": "generated",
    "div": '<div xmlns="http://www.w3.org/1999/xhtml">Maria Santos</div>',
}
PATIENT = {
    "resourceType": "Patient",
    "id": "mbr-m100001",
    "text": NARRATIVE,
    "gender": "female",
    "birthDate": "1971-03-14",
}


def ndjson(*resources: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in resources)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADAPTER_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- generate ------------------------------------------------------------------------------------


def test_generate_shows_progress_with_rate_and_a_summary_table(workspace, capsys):
    code, out, err = run(capsys, "generate", "--members", "12", "-o", "export.json")
    assert code == 0 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("generate: 0/12 members (0%)")
    finished = next(line for line in lines if line.startswith("generate: 12/12 members (100%)"))
    assert "members/s" in finished and "elapsed" in finished
    assert "Generated" in err and "bytes written" in err
    assert any("members" in line and "12" in line for line in lines if "│" in line)


def test_generate_quiet_prints_nothing_and_summary_json_goes_to_stdout(workspace, capsys):
    code, out, err = run(
        capsys, "generate", "--members", "3", "-o", "e.ndjson", "--format", "ndjson", "-q"
    )
    assert (code, out, err) == (0, "", "")
    code, out, err = run(
        capsys, "generate", "--members", "3", "-o", "e.json", "--summary", "json", "-q"
    )
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert summary["members"] == 3 and summary["format"] == "json"
    assert summary["bytes_written"] == (workspace / "e.json").stat().st_size


# --- validate ------------------------------------------------------------------------------------


def test_validate_reads_ndjson_line_by_line_naming_each_line(workspace, capsys):
    (workspace / "patients.ndjson").write_text(
        ndjson(PATIENT, PATIENT | {"gender": "bogus"}, PATIENT)
    )
    code, out, err = run(capsys, "validate", "patients.ndjson")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("patients.ndjson line 2: error Patient.gender: Code 'bogus'")
    assert lines[-1] == (
        "3 resources checked, 1 resource with errors: 1 error, 0 warnings, 0 information"
    )
    assert "validate: 3/3 resources (100%)" in err
    assert "Validated" in err and "resources with errors" in err


def test_validate_names_the_ndjson_line_that_is_not_json_and_goes_on(workspace, capsys):
    (workspace / "patients.ndjson").write_text(ndjson(PATIENT) + "{not json\n" + ndjson(PATIENT))
    code, out, err = run(capsys, "validate", "patients.ndjson", "-q")
    assert code == 1 and err == ""
    assert out.splitlines()[0].startswith("patients.ndjson line 2: error: Not valid JSON: ")
    assert out.splitlines()[-1].startswith("3 resources checked, 1 resource with errors")


def test_validate_finds_ndjson_and_xml_by_content_when_the_extension_says_nothing(
    workspace, capsys
):
    (workspace / "lines.txt").write_text(ndjson(PATIENT, PATIENT | {"gender": "bogus"}))
    (workspace / "bundle.fhir").write_bytes(bundle_xml(member_bundle("m9") | {"type": "batch"}))
    code, out, _ = run(capsys, "validate", "lines.txt", "bundle.fhir", "-q")
    assert code == 1
    assert "lines.txt line 2: error Patient.gender" in out
    assert "bundle.fhir: error" not in out
    assert out.splitlines()[-1].startswith("3 resources checked, 1 resource with errors")


def test_validate_json_output_keeps_stdout_json_and_feedback_on_stderr(workspace, capsys):
    (workspace / "p.ndjson").write_text(ndjson(PATIENT, PATIENT))
    code, out, err = run(capsys, "validate", "p.ndjson", "--output", "json")
    assert code == 0
    assert [o["resourceType"] for o in json.loads(out)] == ["OperationOutcome"] * 2
    assert "validate: 2/2 resources (100%)" in err


# --- load ----------------------------------------------------------------------------------------


def test_load_reads_json_ndjson_and_xml_with_progress_and_summary(workspace, capsys):
    (workspace / "one.json").write_text(json.dumps(member_bundle("m1")))
    (workspace / "many.ndjson").write_text(ndjson(member_bundle("m2"), member_bundle("m3")))
    (workspace / "four.xml").write_bytes(bundle_xml(member_bundle("m4")))
    code, out, err = run(capsys, "load", "one.json", "many.ndjson", "four.xml")
    assert code == 0, err
    assert "one.json: 1 bundle(s) loaded (1 created); 0 failed" in out
    assert "many.ndjson: 2 bundle(s) loaded (2 created); 0 failed" in out
    assert "four.xml: 1 bundle(s) loaded (1 created); 0 failed" in out
    lines = err.splitlines()
    assert lines[0].startswith("load: 0/4 bundles (0%)")
    assert any(line.startswith("load: 4/4 bundles (100%)") for line in lines)
    assert "Loaded" in err and "bundles loaded" in err and "entries created" in err


def test_load_output_json_is_the_summary_alone_on_stdout(workspace, capsys):
    (workspace / "many.ndjson").write_text(ndjson(member_bundle("m2"), member_bundle("m3")))
    code, out, err = run(capsys, "load", "many.ndjson", "--output", "json", "-q")
    assert code == 0 and err == ""
    assert json.loads(out) == {
        "files": 1,
        "files_with_failures": 0,
        "bundles_loaded": 2,
        "bundles_failed": 0,
        "entries_created": 2,
    }


def test_load_names_file_and_line_of_bad_input_and_loads_the_rest(workspace, capsys):
    (workspace / "mixed.ndjson").write_text(
        ndjson(member_bundle("m5")) + '{"resourceType": "Bundle", \n' + ndjson(member_bundle("m6"))
    )
    (workspace / "broken.xml").write_bytes(b'<Bundle xmlns="http://hl7.org/fhir"><type>')
    code, out, err = run(capsys, "load", "mixed.ndjson", "broken.xml", "-q")
    assert code == 1
    assert "mixed.ndjson line 2: cannot read: Not valid JSON: " in err
    assert "broken.xml: cannot read: Malformed XML: " in err
    assert "mixed.ndjson: 2 bundle(s) loaded (2 created); 1 failed" in out
    assert "Traceback" not in err


# --- lists and re-evaluation ---------------------------------------------------------------------


def test_empty_lists_say_so_on_stderr_and_quiet_leaves_them_out(workspace, capsys):
    assert run(capsys, "outbox", "list") == (0, "", "No deliveries.\n")
    assert run(capsys, "outbox", "list", "--state", "dead") == (
        0,
        "",
        "No deliveries in state dead.\n",
    )
    assert run(capsys, "outbox", "list", "7") == (0, "", "No deliveries with ids 7.\n")
    code, out, err = run(capsys, "clients", "list")
    assert (code, out) == (0, "")
    assert err.startswith("No clients registered.")
    assert run(capsys, "outbox", "list", "-q") == (0, "", "")
    assert run(capsys, "clients", "list", "-q") == (0, "", "")


def test_reevaluate_counts_members_and_prints_json_on_request(workspace, capsys):
    code, out, err = run(capsys, "reevaluate", "--as-of", "2026-12-10", "--output", "json")
    assert code == 0
    assert json.loads(out) == {
        "as_of": "2026-12-10",
        "members_checked": 0,
        "members_changed": 0,
        "resources_written": 0,
        "members_failed": 0,
    }
    assert "reevaluate: 0/0 members (100%)" in err
    assert run(capsys, "reevaluate", "--as-of", "2026-12-10", "-q")[2] == ""


def test_compliance_and_report_show_progress_over_members(workspace, capsys):
    from adapter.config import SAMPLES_DIR

    export = str(SAMPLES_DIR / "plan-export.json")
    code, out, err = run(capsys, "compliance", export, "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["members"] == 45
    assert "compliance: 45/45 members (100%)" in err
    code, out, err = run(
        capsys, "report", export, "--from", "2026-01-01", "--to", "2026-06-30", "-q"
    )
    assert code == 0 and err == "" and json.loads(out)["resourceType"] == "MeasureReport"


def test_ccda_counts_documents_and_sums_up_their_outcomes(workspace, capsys):
    from adapter.config import SAMPLES_DIR

    document = str(SAMPLES_DIR / "ccda" / "care-plan.xml")
    code, out, err = run(capsys, "ccda", document)
    assert code == 0  # no member matches: queued for review
    assert "documents: stored 0, queued 1, refused 0, rejected 0" in out
    assert "ccda: 1/1 documents (100%)" in err
    assert "C-CDA documents" in err and "entries not mapped" in err
    code, _, err = run(capsys, "ccda", document, "-q")
    assert code == 0 and err == ""


# --- the installed entry point, as a script runs it ---------------------------------------------


def test_the_real_process_keeps_stdout_for_data_and_stderr_for_feedback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADAPTER_")}
    env["ADAPTER_DATABASE_URL"] = f"sqlite:///{tmp_path}/p.db"
    (tmp_path / "p.ndjson").write_text(ndjson(PATIENT, PATIENT))
    command = [sys.executable, "-m", "adapter.cli", "validate", "p.ndjson", "--output", "json"]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 2
    assert "validate: 2/2 resources (100%)" in done.stderr
    quiet = subprocess.run(
        [*command, "-q"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == done.stdout


def test_a_file_in_no_fhir_form_is_one_error_line_never_a_traceback(workspace, capsys):
    Path("notes.ndjson").write_text("hello\n")
    code, out, err = run(capsys, "load", "notes.ndjson", "-q")
    assert code == 1 and out.startswith("notes.ndjson: 0 bundle(s) loaded")
    assert err.startswith("notes.ndjson line 1: cannot read: Not valid JSON: ")
    assert err.count("\n") == 1
