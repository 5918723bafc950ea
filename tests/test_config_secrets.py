"""Secrets from files (ADAPTER_<NAME>_FILE, e.g. Docker secrets) and the database password."""

from __future__ import annotations

import pytest

from adapter.config import SECRET_SETTINGS, known_variables, settings_from_env
from adapter.errors import ConfigurationError

PG = "postgresql+psycopg://adapter@db.internal:5432/adapter"


def test_each_secret_setting_can_come_from_a_file(tmp_path):
    assert set(SECRET_SETTINGS) == {"database_url", "database_password", "webapp_secret_key"}
    secret = tmp_path / "webapp-secret-key"
    secret.write_text("s3cret-value\n")
    settings = settings_from_env({"ADAPTER_WEBAPP_SECRET_KEY_FILE": str(secret)})
    assert settings.webapp_secret_key == "s3cret-value"  # the trailing line break is dropped


def test_the_file_variables_are_known_and_others_stay_unknown():
    assert "ADAPTER_DATABASE_PASSWORD_FILE" in known_variables()
    with pytest.raises(ConfigurationError, match="unknown variables: ADAPTER_PORT_FILE"):
        settings_from_env({"ADAPTER_PORT_FILE": "/run/secrets/port"})


def test_a_value_and_its_file_together_are_refused(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("x")
    environ = {"ADAPTER_WEBAPP_SECRET_KEY": "y", "ADAPTER_WEBAPP_SECRET_KEY_FILE": str(secret)}
    with pytest.raises(ConfigurationError, match="set ADAPTER_WEBAPP_SECRET_KEY or ADAPTER_WE"):
        settings_from_env(environ)


def test_an_unreadable_secret_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ConfigurationError) as raised:
        settings_from_env({"ADAPTER_DATABASE_PASSWORD_FILE": str(missing)})
    assert f"ADAPTER_DATABASE_PASSWORD_FILE: cannot read {missing}" in raised.value.message


def test_the_database_password_goes_into_the_postgresql_url(tmp_path):
    password = tmp_path / "postgres-password"
    password.write_text("p@ss:w/rd\n")
    settings = settings_from_env(
        {"ADAPTER_DATABASE_URL": PG, "ADAPTER_DATABASE_PASSWORD_FILE": str(password)}
    )
    assert settings.database_url == (
        "postgresql+psycopg://adapter:p%40ss%3Aw%2Frd@db.internal:5432/adapter"
    )


def test_the_database_password_needs_a_postgresql_url_without_one():
    with pytest.raises(ConfigurationError, match="is for a PostgreSQL ADAPTER_DATABASE_URL"):
        settings_from_env({"ADAPTER_DATABASE_PASSWORD": "x"})  # the SQLite default
    with pytest.raises(ConfigurationError, match="already has a password"):
        settings_from_env(
            {
                "ADAPTER_DATABASE_URL": PG.replace("adapter@", "adapter:old@"),
                "ADAPTER_DATABASE_PASSWORD": "new",
            }
        )
