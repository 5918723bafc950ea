"""Real processes for the end-to-end tests: the project's own FHIR server as the partner EHR,
and `ltsc-adapter worker` processes, all on 127.0.0.1 and bounded in time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.processes import free_port

START_TIMEOUT_S = 30


def wait_for(condition: Callable[[], Any], timeout_s: float, what: str, step_s: float = 0.1):
    """Poll `condition` until it is truthy; fail after `timeout_s` naming what we waited for."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def start_fhir_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """`ltsc-adapter serve` on a free port with its own SQLite file; returns its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_PORT": str(port),
        "ADAPTER_WORKERS": "2",
        "ADAPTER_DATABASE_URL": f"sqlite:///{folder}/ehr.db",
        "ADAPTER_BASE_URL": f"http://127.0.0.1:{port}/fhir",
        # The partner's own access control is not under test here; SMART Backend Services
        # is, against the suite's token endpoint (test_auth.py).
        "ADAPTER_AUTH_MODE": "off",
        # The partner receives single resources whose referents it never gets (as many
        # partners do); referential integrity is tested in tests/api.
        "ADAPTER_REFERENCE_INTEGRITY": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/fhir"

    def serving() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"partner server exited: {process.stderr.read()}")
        try:
            return requests.get(f"{base}/metadata", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    wait_for(serving, START_TIMEOUT_S, "the partner FHIR server")
    return process, base


def start_worker(database_url: str, partners: Path, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "ADAPTER_DATABASE_URL": database_url,
        "ADAPTER_EXCHANGE_IDLE_SECONDS": "1",
        "ADAPTER_EXCHANGE_BACKOFF_CAP_SECONDS": "2",
        "ADAPTER_EXCHANGE_MAX_ATTEMPTS": "100",
        "ADAPTER_EXCHANGE_BATCH_SIZE": "10",
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "worker", "--partners", str(partners)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ADAPTER_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "adapter.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
