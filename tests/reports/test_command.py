"""`ltsc-adapter report`: the declared command, end to end over the sample export (REPORT)."""

from __future__ import annotations

import csv
import io
import json

from fhir.resources.R4B.measurereport import MeasureReport

from adapter.cli import main
from adapter.config import SAMPLES_DIR

SAMPLE = str(SAMPLES_DIR / "plan-export.json")
PERIOD = ["--from", "2026-01-01", "--to", "2026-10-31"]


def sample_document():
    return json.loads((SAMPLES_DIR / "plan-export.json").read_text(encoding="utf-8"))


def enrolled_in_period(document, skip=()):
    """Members with an enrollment touching 2026-01-01 .. 2026-10-31, counted from the raw JSON."""
    return sum(
        1
        for i, record in enumerate(document["members"])
        if i not in skip
        and (record["member"].get("date_of_death") or "9999") >= "2026-01-01"
        and any(
            e["start"] <= "2026-10-31" and (e["end"] is None or e["end"] >= "2026-01-01")
            for e in record["enrollments"]
        )
    )


def test_report_command_writes_a_measure_report_file(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["report", SAMPLE, *PERIOD, "--plan", "CCA-OC", "-o", str(out)]) == 0
    resource = json.loads(out.read_text(encoding="utf-8"))
    MeasureReport.model_validate(resource)
    assert resource["period"] == {"start": "2026-01-01", "end": "2026-10-31"}
    assert resource["reporter"]["identifier"]["value"] == "CCA-OC"
    assert capsys.readouterr().out == ""


def test_report_command_csv_to_stdout(capsys):
    assert main(["report", SAMPLE, *PERIOD, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    enrolled = next(r for r in rows if r["figure"] == "members-enrolled" and not r["stratifier"])
    assert enrolled["value"] == str(enrolled_in_period(sample_document()))


def test_report_command_html_to_stdout(capsys):
    assert main(["report", SAMPLE, *PERIOD, "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 3


def test_report_command_plan_filter_excludes_other_plans(capsys):
    assert main(["report", SAMPLE, *PERIOD, "--plan", "NO-SUCH-PLAN", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    counts = [r["value"] for r in rows if r["unit"] == "count"]
    assert counts and set(counts) == {"0"}


def test_report_command_bad_date_exits_2_with_a_clear_message(capsys):
    assert main(["report", SAMPLE, "--from", "2026-02-30", "--to", "2026-10-31"]) == 2
    err = capsys.readouterr().err
    assert "--from must be a date like 2026-01-31, not '2026-02-30'" in err


def test_report_command_period_ending_before_it_starts_exits_2(capsys):
    assert main(["report", SAMPLE, "--from", "2026-10-31", "--to", "2026-01-01"]) == 2
    assert "--to 2026-01-01 is before --from 2026-10-31" in capsys.readouterr().err


def test_report_command_reports_rejected_records_and_exits_1(tmp_path, capsys):
    document = sample_document()
    document["members"][2]["member"]["birth_date"] = "1971-13-45"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    assert main(["report", str(broken), *PERIOD, "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert f"{broken}:/members/2: member.birth_date: must be a calendar date" in captured.err
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    enrolled = next(r for r in rows if r["figure"] == "members-enrolled" and not r["stratifier"])
    # The other members are still reported.
    assert enrolled["value"] == str(enrolled_in_period(document, skip={2}))


def test_report_command_notes_a_period_ending_after_the_export(capsys):
    assert main(["report", SAMPLE, "--from", "2026-01-01", "--to", "2026-12-31"]) == 0
    assert "is evaluated as of 2026-11-01" in capsys.readouterr().err


def test_report_command_unwritable_output_exits_2(tmp_path, capsys):
    target = tmp_path / "missing-dir" / "report.json"
    assert main(["report", SAMPLE, *PERIOD, "-o", str(target)]) == 2
    assert "cannot write the report to" in capsys.readouterr().err
