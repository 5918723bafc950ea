"""ADAPTER_AUTH_DEV_ISSUER=off: only this server's own tokens; no development key is made."""

from __future__ import annotations

import pytest

from adapter.cli import main
from adapter.config import Settings, settings_from_env
from adapter.errors import ConfigurationError
from adapter.security.authenticate import Authenticator, authenticate_bearer
from adapter.security.dev_keys import issue_dev_token
from adapter.security.principal import AuthError


def test_no_development_key_or_clients_are_made(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "var"), auth_dev_issuer="off")
    authenticator = Authenticator.from_settings(settings)
    assert authenticator.verifier is None
    assert list(authenticator.clients) == []
    assert not (tmp_path / "var" / "dev-auth").exists()


def test_a_development_token_is_refused(tmp_path):
    dev = Settings(data_dir=str(tmp_path / "dev"))
    token = issue_dev_token(dev, "dev-admin")  # made where a developer would make one
    authenticator = Authenticator.from_settings(
        Settings(data_dir=str(tmp_path / "var"), auth_dev_issuer="off")
    )
    with pytest.raises(AuthError, match="not issued by this server"):
        authenticate_bearer(f"Bearer {token}", authenticator)


def test_the_token_command_refuses_to_make_development_tokens(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADAPTER_AUTH_DEV_ISSUER", "off")
    assert main(["token", "--client", "dev-plan"]) == 2
    assert "ADAPTER_AUTH_DEV_ISSUER=off" in capsys.readouterr().err
    assert not (tmp_path / "var" / "dev-auth").exists()


def test_an_external_issuer_needs_its_clients_file_when_the_dev_issuer_is_off():
    settings = Settings(auth_dev_issuer="off", auth_jwks="/j.json", auth_issuer="https://i")
    with pytest.raises(ConfigurationError, match="ADAPTER_AUTH_CLIENTS_FILE is required"):
        Authenticator.from_settings(settings)


def test_settings_that_could_verify_no_token_are_refused():
    with pytest.raises(ConfigurationError, match="no token could be verified"):
        settings_from_env({"ADAPTER_AUTH_DEV_ISSUER": "off", "ADAPTER_AUTH_SERVER": "off"})
    with pytest.raises(ConfigurationError, match="ADAPTER_AUTH_DEV_ISSUER must be on or off"):
        settings_from_env({"ADAPTER_AUTH_DEV_ISSUER": "no"})
