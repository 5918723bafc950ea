"""Test-kit fixtures: the adapter's own server in another process, on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.config import Settings
from adapter.security.dev_keys import issue_dev_token
from tests.processes import free_port, stop, wait_until_serving

# A development admin token for each server these fixtures start (auth is on, as deployed).
SERVER_TOKENS: dict[str, str] = {}


def serve(tmp_path: Path, *extra: str) -> Iterator[str]:
    """`ltsc-adapter serve` on SQLite in tmp_path; yields the FHIR base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/fhir"
    env = {
        **os.environ,
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_PORT": str(port),
        "ADAPTER_WORKERS": "1",
        "ADAPTER_DATABASE_URL": f"sqlite:///{tmp_path}/testkit.db",
        "ADAPTER_BASE_URL": base_url,
        "ADAPTER_AUTH_DEV_DIR": str(tmp_path / "dev-auth"),
    }
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "adapter.cli", "serve", *extra],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        wait_until_serving(f"{base_url}/metadata", process, log=log)
        settings = Settings(base_url=base_url, auth_dev_dir=str(tmp_path / "dev-auth"))
        SERVER_TOKENS[base_url] = issue_dev_token(settings, "dev-admin")
        yield base_url
    finally:
        stop(process, log=log)


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty adapter server (its own SQLite file)."""
    yield from serve(tmp_path_factory.mktemp("fresh"))


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An adapter server loaded with the sample export, as `serve --load-samples` gives it."""
    yield from serve(tmp_path_factory.mktemp("samples"), "--load-samples")
