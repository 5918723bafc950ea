"""`ltsc-adapter compliance`: text, JSON and CSV output over read exports (REPORT)."""

import argparse
import csv
import io
import json

import pytest

from adapter.errors import InvalidRequest
from adapter.records import PlanExport, ReadResult, RecordError
from adapter.rules.command import run_compliance
from tests.rules.given import directory, member, offer


def _reader(errors=()):
    late = member(offers=[offer("OF-1", "OFFER-90", "2026-06-09", "declined")])
    unoffered = member()
    unoffered["member"]["member_id"] = "M2"
    export = PlanExport(
        "export.json", {"plan": {"plan_id": "CCA-OC"}}, directory(), [late, unoffered]
    )
    return lambda paths: ReadResult(exports=[export], errors=list(errors))


def _run(fmt, reader=None, as_of="2026-07-01"):
    out = io.StringIO()
    args = argparse.Namespace(inputs=["export.json"], as_of=as_of, format=fmt)
    code = run_compliance(args, read=reader or _reader(), out=out)
    return code, out.getvalue()


def test_report_compliance_json_has_summary_and_rows():
    code, text = _run("json")
    document = json.loads(text)
    assert code == 0 and document["as_of"] == "2026-07-01"
    assert (document["summary"]["members"], document["summary"]["overdue_open"]) == (2, 1)
    assert [(r["member_id"], r["plan_id"], r["days_late"]) for r in document["rows"]] == [
        ("M1", "CCA-OC", 10),
        ("M2", "CCA-OC", 32),
    ]


def test_report_compliance_csv_one_line_per_offer():
    _, text = _run("csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["member_id"], r["triggers"], r["on_time"]) for r in rows] == [
        ("M1", "OFFER-90", "False"),
        ("M2", "OFFER-90", ""),
    ]


def test_report_compliance_text_names_late_and_missing_offers():
    _, text = _run("text")
    assert "offered 2026-06-09 (10 days late)" in text
    assert "NOT OFFERED, 32 days overdue" in text
    assert text.rstrip().endswith(
        "2 members, 2 offers due, 0 on time, 1 late, 1 open and overdue, 0 missed"
    )


def test_report_compliance_record_errors_go_to_stderr_and_exit_1(capsys):
    error = RecordError("e.ndjson", "line 3", "member_id", "missing")
    code, _ = _run("json", reader=_reader([error]))
    assert code == 1
    assert "e.ndjson: line 3: member_id: missing" in capsys.readouterr().err


def test_report_compliance_bad_as_of_is_a_clear_error():
    with pytest.raises(InvalidRequest, match="--as-of"):
        _run("text", as_of="01/07/2026")
