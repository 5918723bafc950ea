"""`serve` refuses development credentials on an address beyond this machine (loopback rule)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from adapter.config import Settings
from adapter.errors import ConfigurationError
from adapter.security.authenticate import refuse_development_auth_beyond_loopback

PUBLIC = "0.0.0.0"  # noqa: S104 - the setting under test; nothing is bound


def serve(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADAPTER_")}
    env |= {
        "ADAPTER_DATA_DIR": str(tmp_path / "var"),
        "ADAPTER_DATABASE_URL": f"sqlite:///{tmp_path}/adapter.db",
        "ADAPTER_PORT": "1",  # never bound: the refusal comes first
    } | variables
    return subprocess.run(
        [sys.executable, "-m", "adapter.cli", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_on_a_public_address_with_the_development_key_exits_with_a_clear_error(tmp_path):
    result = serve(tmp_path, ADAPTER_HOST=PUBLIC)
    assert result.returncode == 2
    assert result.stderr.startswith("error: the development token key is trusted only on a ")
    assert "ADAPTER_AUTH_DEV_ISSUER=off" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "dev-auth").exists()  # no key was made either


def test_serve_on_a_public_address_with_auth_off_exits_with_a_clear_error(tmp_path):
    result = serve(tmp_path, ADAPTER_HOST=PUBLIC, ADAPTER_AUTH_MODE="off")
    assert result.returncode == 2
    assert "ADAPTER_AUTH_MODE=off lets every caller in as an administrator" in result.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_may_use_the_development_key(host):
    refuse_development_auth_beyond_loopback(Settings(host=host))
    refuse_development_auth_beyond_loopback(Settings(host=host, auth_mode="off"))
    refuse_development_auth_beyond_loopback(Settings(host=host, webapp_dev_login=1))


@pytest.mark.parametrize("host", [PUBLIC, "::", "10.1.2.3", "adapter.example.org"])
def test_other_addresses_are_refused_the_development_key(host):
    with pytest.raises(ConfigurationError, match="development token key"):
        refuse_development_auth_beyond_loopback(Settings(host=host))


def test_an_external_issuer_without_a_clients_file_still_uses_the_development_clients():
    settings = Settings(host=PUBLIC, auth_jwks="/etc/issuer/jwks.json", auth_issuer="https://i")
    with pytest.raises(ConfigurationError, match="development token key"):
        refuse_development_auth_beyond_loopback(settings)


@pytest.mark.parametrize(
    "changes",
    [
        {"auth_dev_issuer": "off"},
        {"auth_jwks": "/j.json", "auth_issuer": "https://i", "auth_clients_file": "/c.yaml"},
    ],
)
def test_production_auth_settings_may_listen_on_a_public_address(changes):
    refuse_development_auth_beyond_loopback(Settings(host=PUBLIC, **changes))


def test_the_development_sign_in_is_refused_on_a_public_address():
    settings = Settings(host=PUBLIC, auth_dev_issuer="off", webapp_dev_login=1)
    with pytest.raises(ConfigurationError, match="ADAPTER_WEBAPP_DEV_LOGIN=1"):
        refuse_development_auth_beyond_loopback(settings)
