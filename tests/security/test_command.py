"""`ltsc-adapter token` and what `serve` prints: a working development token, on first use."""

from __future__ import annotations

import argparse

import jwt
import pytest

from adapter.api.command import auth_notice
from adapter.config import Settings
from adapter.errors import ConfigurationError
from adapter.security import Authenticator, authenticate_bearer
from adapter.security.command import run_token


@pytest.fixture
def dev_env(monkeypatch, tmp_path) -> Settings:
    monkeypatch.setenv("ADAPTER_AUTH_DEV_DIR", str(tmp_path / "auth"))
    return Settings(auth_dev_dir=str(tmp_path / "auth"))


def test_token_command_prints_a_token_the_server_accepts(dev_env, capsys):
    args = argparse.Namespace(client="dev-cbo-mbil", scope=["system/Task.rus"], minutes=5)
    assert run_token(args) == 0
    token = capsys.readouterr().out.strip()
    principal = authenticate_bearer(f"Bearer {token}", Authenticator.from_settings(dev_env))
    assert (principal.org_kind, principal.org_id) == ("cbo", "MBIL")
    assert principal.scopes == frozenset({"system/Task.rus"})
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 5 * 60


def test_token_command_refuses_an_unknown_client(dev_env):
    args = argparse.Namespace(client="nobody", scope=[], minutes=5)
    with pytest.raises(ConfigurationError, match="dev-plan"):
        run_token(args)


def test_serve_notice_creates_the_dev_issuer_and_says_how_to_get_a_token(dev_env, tmp_path):
    notice = auth_notice(dev_env)
    assert "ltsc-adapter token --client" in notice
    assert (tmp_path / "auth" / "jwks.json").exists()
    assert (tmp_path / "auth" / "private-key.pem").stat().st_mode & 0o077 == 0


def test_serve_notice_warns_when_auth_is_off(dev_env):
    from dataclasses import replace

    assert "OFF" in auth_notice(replace(dev_env, auth_mode="off"))


def test_auth_off_is_logged_as_a_warning(tmp_path, caplog):
    from adapter.api import create_app

    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/a.db", auth_mode="off", audit_mode="off"
    )
    create_app(settings, validator=object())
    assert any(
        r.levelname == "WARNING" and "AUTH_MODE=off" in r.getMessage() for r in caplog.records
    )
