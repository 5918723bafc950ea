"""`ltsc-adapter outbox`: readable refusals of bad arguments, JSON lines for items."""

from __future__ import annotations

import argparse
import json

import pytest

from adapter.exchange.command import run_outbox
from tests.exchange.resources import patient


@pytest.fixture
def outbox_cli(routed_store, database_url, monkeypatch):
    monkeypatch.setenv("ADAPTER_DATABASE_URL", database_url)

    def run(action: str, *ids: str, state: str | None = None) -> int:
        return run_outbox(argparse.Namespace(action=action, ids=list(ids), state=state))

    return run


def test_list_prints_one_json_object_per_item(routed_store, outbox_cli, capsys):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    assert outbox_cli("list", state="pending") == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["resource"] == "Patient/mbr-m1/_history/1"


def test_an_unknown_state_is_refused_with_the_known_ones(outbox_cli, capsys):
    assert outbox_cli("list", state="stuck") == 2
    assert "pending, leased, delivered, dead" in capsys.readouterr().err


def test_ids_must_be_numbers(outbox_cli, capsys):
    assert outbox_cli("retry", "abc") == 2
    assert "ids are numbers" in capsys.readouterr().err


def test_retrying_an_id_that_is_not_dead_requeues_nothing(routed_store, outbox_cli, capsys):
    routed_store.update("Patient", "mbr-m1", patient("M1"))
    outbox_cli("list")
    pending = json.loads(capsys.readouterr().out)["id"]
    assert outbox_cli("retry", str(pending)) == 1
    assert capsys.readouterr().out == "Requeued 0 dead-lettered deliveries\n"
