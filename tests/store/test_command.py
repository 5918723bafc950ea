"""`ltsc-adapter load`: JSON and NDJSON Bundles; a bad file is reported, the rest still load."""

from __future__ import annotations

import argparse
import json

import pytest

from adapter.services.load_command import run_load
from adapter.store import open_store


def member_bundle(member_id):
    patient = {"resourceType": "Patient", "id": f"mbr-{member_id}", "gender": "female"}
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:00000000-0000-4000-8000-{member_id:0>12}",
                "resource": patient,
                "request": {"method": "PUT", "url": f"Patient/mbr-{member_id}"},
            }
        ],
    }


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/load.db"
    monkeypatch.setenv("ADAPTER_DATABASE_URL", url)
    return url


def test_load_json_and_ndjson(tmp_path, database, capsys):
    single = tmp_path / "one.json"
    single.write_text(json.dumps(member_bundle("m1")))
    lines = tmp_path / "many.ndjson"
    lines.write_text("\n".join(json.dumps(member_bundle(m)) for m in ("m2", "m3")) + "\n")
    assert run_load(argparse.Namespace(bundles=[str(single), str(lines)])) == 0
    out = capsys.readouterr().out
    assert "one.json: 1 bundle(s) loaded (1 created); 0 failed" in out
    assert "many.ndjson: 2 bundle(s) loaded (2 created); 0 failed" in out
    store = open_store(database)
    assert store.search("Patient", []).total == 3
    store.close()


def test_bad_file_is_reported_and_others_load(tmp_path, database, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    wrong = tmp_path / "wrong.ndjson"
    wrong.write_text(
        json.dumps({"resourceType": "Patient"}) + "\n" + json.dumps(member_bundle("m4")) + "\n"
    )
    missing = tmp_path / "missing.json"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(member_bundle("m5")))
    paths = [str(p) for p in (broken, wrong, missing, good)]
    assert run_load(argparse.Namespace(bundles=paths)) == 1
    captured = capsys.readouterr()
    assert "broken.json: cannot read" in captured.err
    assert "wrong.ndjson line 1: not a transaction or batch Bundle" in captured.err
    assert "missing.json: cannot read" in captured.err
    assert "good.json: 1 bundle(s) loaded" in captured.out
    store = open_store(database)
    assert sorted(m.id for m in store.search("Patient", []).matches) == ["mbr-m4", "mbr-m5"]
    store.close()
