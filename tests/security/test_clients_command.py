"""`ltsc-adapter clients`: register, list, disable; bad input is a one-line error, exit 2."""

from __future__ import annotations

import json

import pytest

from adapter.cli import main
from tests.security.backend_client import BackendClient


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("ADAPTER_DATABASE_URL", f"sqlite:///{tmp_path}/clients.db")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(BackendClient("x").jwks()))
    return jwks


def add(jwks, *extra: str) -> int:
    return main(
        ["clients", "add", "bcil-app", "--org-kind", "cbo", "--org-id", "BCIL",
         "--scope", "system/Task.rs", "--jwks", str(jwks), *extra]
    )  # fmt: skip


def test_a_client_is_added_listed_and_disabled(env, capsys):
    assert add(env) == 0
    assert main(["clients", "list"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed[-1]["client_id"] == "bcil-app" and listed[-1]["status"] == "active"
    assert main(["clients", "disable", "bcil-app"]) == 0
    assert "bcil-app is disabled" in capsys.readouterr().out


def test_bad_registrations_are_one_line_errors(env, capsys):
    assert main(["clients", "add", "bcil-app", "--org-kind", "cbo", "--org-id", "BCIL"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert add(env, "--jwks-url", "https://cbo.example.org/jwks") == 2
    assert "exactly one of jwks and jwks_url" in capsys.readouterr().err
    assert main(["clients", "disable", "nobody"]) == 2
    assert "not registered" in capsys.readouterr().err
    assert add(env) == 0
    assert add(env) == 2
    assert "already registered" in capsys.readouterr().err


def test_rotating_the_signing_key_prints_the_new_kid(env, capsys):
    assert main(["clients", "rotate-key"]) == 0
    assert "New signing key ltsc-" in capsys.readouterr().out
