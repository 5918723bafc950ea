"""`ltsc-adapter ingest`: exports read, stored, and summed up with an exit code."""

from __future__ import annotations

import argparse
import json

from adapter.cli import main
from adapter.config import SAMPLES_DIR
from adapter.services.command import run_ingest
from adapter.store import open_store


def test_ingest_command_stores_the_sample_and_exits_zero(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/adapter.db"
    monkeypatch.setenv("ADAPTER_DATABASE_URL", url)

    code = run_ingest(argparse.Namespace(inputs=[str(SAMPLES_DIR / "plan-export.json")]))

    assert code == 0
    assert "members stored: 45" in capsys.readouterr().out
    store = open_store(url)
    try:
        assert store.read("Patient", "mbr-m100001")
    finally:
        store.close()


def test_ingest_command_reports_bad_records_and_exits_one(tmp_path, monkeypatch, capsys):
    document = json.loads((SAMPLES_DIR / "plan-export.json").read_text(encoding="utf-8"))
    document["members"] = document["members"][:2]
    document["members"][1]["member"]["birth_date"] = "1971-02-30"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setenv("ADAPTER_DATABASE_URL", f"sqlite:///{tmp_path}/adapter.db")

    code = run_ingest(argparse.Namespace(inputs=[str(path)]))

    out, err = capsys.readouterr()
    assert code == 1
    assert "members stored: 1" in out and "members rejected: 1" in out
    assert "member.birth_date" in err


def small_export(tmp_path, **header) -> str:
    document = json.loads((SAMPLES_DIR / "plan-export.json").read_text(encoding="utf-8"))
    document["members"] = [m for m in document["members"] if m["member"]["member_id"] == "M100001"]
    document["export"].update(header)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_offer_90_reevaluate_command_moves_members_to_a_later_day(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ADAPTER_DATABASE_URL", f"sqlite:///{tmp_path}/adapter.db")
    assert main(["ingest", small_export(tmp_path)]) == 0
    capsys.readouterr()

    assert main(["reevaluate", "--as-of", "2026-12-10"]) == 0
    first = capsys.readouterr().out
    assert "re-evaluated as of 2026-12-10" in first
    assert "members changed: 1" in first
    assert main(["reevaluate", "--as-of", "2026-12-10"]) == 0
    assert "resources written: 0" in capsys.readouterr().out


def test_ingest_as_of_option_and_its_bad_value(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ADAPTER_DATABASE_URL", f"sqlite:///{tmp_path}/adapter.db")
    assert main(["ingest", small_export(tmp_path), "--as-of", "2026-12-24"]) == 0
    store = open_store(f"sqlite:///{tmp_path}/adapter.db")
    try:
        task = store.read("Task", "offer-m100001-enrollment-1").resource
    finally:
        store.close()
    assert task["businessStatus"]["coding"][0]["code"] == "overdue"
    capsys.readouterr()
    assert main(["ingest", small_export(tmp_path), "--as-of", "24/12/2026"]) == 2
    assert capsys.readouterr().err == (
        "error: --as-of must be a date like 2026-11-01, not '24/12/2026'\n"
    )


def test_a_generated_at_that_is_no_date_stops_every_command_with_exit_2(tmp_path, capsys):
    path = small_export(tmp_path, generated_at="last Tuesday")
    for command in (
        ["ingest", path],
        ["compliance", path],
        ["map", path, "-o", str(tmp_path / "out")],
        ["report", path, "--from", "2026-01-01", "--to", "2026-06-30"],
    ):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert path in err
        assert "export.generated_at: must be an ISO 8601 instant" in err
