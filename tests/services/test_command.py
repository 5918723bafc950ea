"""`ltsc-adapter ingest`: exports read, stored, and summed up with an exit code."""

from __future__ import annotations

import argparse
import json

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
