"""The served daily re-evaluation runs in a process beside gunicorn's workers and ends with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from adapter import clock
from adapter.config import Settings
from adapter.security.dev_keys import issue_dev_token
from tests.processes import free_port, stop, wait_until_serving

pytestmark = pytest.mark.slow


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_the_day_is_re_evaluated_beside_the_workers_and_the_process_ends_with_the_server(
    tmp_path,
):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/fhir"
    env = {
        **os.environ,
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_PORT": str(port),
        "ADAPTER_WORKERS": "2",
        "ADAPTER_DATABASE_URL": f"sqlite:///{tmp_path}/served.db",
        "ADAPTER_BASE_URL": base_url,
        "ADAPTER_AUTH_DEV_DIR": str(tmp_path / "auth"),
    }
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "adapter.cli", "serve"], env=env, stdout=sink, stderr=sink
        )
    try:
        wait_until_serving(f"{base_url}/metadata", server, log=log)
        token = issue_dev_token(
            Settings(base_url=base_url, auth_dev_dir=str(tmp_path / "auth")), "dev-admin"
        )
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 60
        answer = requests.get(
            f"http://127.0.0.1:{port}/admin/jobs/reevaluate", headers=headers, timeout=10
        )
        while answer.status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.5)
            answer = requests.get(
                f"http://127.0.0.1:{port}/admin/jobs/reevaluate", headers=headers, timeout=10
            )
        assert answer.status_code == 200, answer.text
        assert clock.today().isoformat() in answer.text
        beside = children(server.pid)
        # two workers, the daily re-evaluation (and multiprocessing's resource tracker)
        assert len(beside) >= 3
    finally:
        stop(server, log=log)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in beside) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in beside)
