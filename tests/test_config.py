"""Settings are read from ADAPTER_* variables and every bad key is reported at once."""

import pytest

from adapter.config import Settings, settings_from_env
from adapter.errors import ConfigurationError


def test_defaults_are_valid():
    settings = settings_from_env({})
    assert settings == Settings()
    assert settings.database_url.startswith("sqlite:///")


def test_values_are_read_and_typed():
    settings = settings_from_env(
        {"ADAPTER_PORT": "9090", "ADAPTER_VALIDATION_MODE": "warn", "OTHER": "x"}
    )
    assert settings.port == 9090
    assert settings.validation_mode == "warn"


def test_every_bad_key_is_listed_in_one_error():
    with pytest.raises(ConfigurationError) as caught:
        settings_from_env({"ADAPTER_PORT": "eighty", "ADAPTER_WORKERS": "many"})
    assert "ADAPTER_PORT" in caught.value.message
    assert "ADAPTER_WORKERS" in caught.value.message


def test_unknown_validation_mode_is_refused():
    with pytest.raises(ConfigurationError, match="ADAPTER_VALIDATION_MODE"):
        settings_from_env({"ADAPTER_VALIDATION_MODE": "maybe"})


def test_an_unknown_adapter_variable_stops_start_up_naming_the_closest_setting():
    from adapter.config import settings_from_env

    with pytest.raises(ConfigurationError) as raised:
        settings_from_env({"ADAPTER_PROT": "9090", "ADAPTER_NO_SUCH_THING": "1"})
    message = raised.value.message
    assert "ADAPTER_PROT (did you mean ADAPTER_PORT?)" in message
    assert "ADAPTER_NO_SUCH_THING" in message


def test_variables_read_outside_settings_are_known():
    from adapter.config import settings_from_env

    environ = {"ADAPTER_CLOCK": "offset:0", "ADAPTER_TEST_POSTGRES_URL": "postgresql://x/y"}
    assert settings_from_env(environ).port == 8080


def test_state_defaults_to_the_data_directory_of_the_working_directory(tmp_path, monkeypatch):
    from adapter.config import Settings
    from adapter.security.dev_keys import dev_dir

    monkeypatch.chdir(tmp_path)
    assert dev_dir(Settings()).resolve() == (tmp_path / "var" / "dev-auth").resolve()
    assert dev_dir(Settings(data_dir=str(tmp_path / "state"))) == tmp_path / "state" / "dev-auth"
