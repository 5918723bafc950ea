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
