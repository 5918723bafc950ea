"""`ltsc-adapter ingest`: exports read, stored, and summed up with an exit code."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

from adapter.cli import main
from adapter.config import SAMPLES_DIR
from adapter.records.generator import generate_export
from adapter.records.ndjson_form import write_ndjson
from adapter.services.command import run_ingest
from adapter.store import open_store


def test_ingest_command_stores_the_sample_and_exits_zero(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/adapter.db"
    monkeypatch.setenv("ADAPTER_DATABASE_URL", url)

    code = run_ingest(argparse.Namespace(inputs=[str(SAMPLES_DIR / "plan-export.json")]))

    assert code == 0
    err = capsys.readouterr().err
    assert err.startswith("ingest: 0/45 members (0%)")
    assert re.search(r"members stored\s*│\s*45 ", err)
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

    code = run_ingest(argparse.Namespace(inputs=[str(path)], summary_format="json"))

    out, err = capsys.readouterr()
    assert code == 1
    summary = json.loads(out)
    assert (summary["members_stored"], summary["members_rejected"]) == (1, 1)
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


def stored_resources(url: str, resource_type: str) -> dict[str, dict]:
    """Every current resource of a type, without its version metadata."""
    store = open_store(url)
    try:
        page = store.search(resource_type, [("_count", "1000")])
    finally:
        store.close()
    assert page.total == len(page.matches), "one page holds them all"
    return {
        e.id: {k: v for k, v in e.resource.items() if k != "meta"}
        | {"profile": e.resource["meta"].get("profile")}
        for e in page.matches
    }


def test_ingest_with_two_workers_stores_what_one_process_stores(tmp_path):
    source = tmp_path / "export.ndjson"
    write_ndjson(generate_export(70, 3), source)
    urls = {jobs: f"sqlite:///{tmp_path}/jobs-{jobs}.db" for jobs in ("1", "2")}
    for jobs, url in urls.items():
        done = subprocess.run(
            [sys.executable, "-m", "adapter.cli", "ingest", str(source), "-j", jobs, "-q"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "ADAPTER_DATABASE_URL": url},
        )
        assert done.returncode == 0, done.stderr
    for resource_type in ("Patient", "CarePlan", "CareTeam", "Task"):
        one, two = (stored_resources(url, resource_type) for url in urls.values())
        assert one == two and one, resource_type
    # Task Provenance records when it was written: the same number of them is what can match.
    one, two = (resource_total(url, "Provenance") for url in urls.values())
    assert one == two > 0


def resource_total(url: str, resource_type: str) -> int:
    store = open_store(url)
    try:
        return store.search(resource_type, [("_count", "1")]).total
    finally:
        store.close()
