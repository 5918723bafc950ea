"""Helpers for tests that start real server processes on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import requests

START_TIMEOUT_S = 60


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(
    url: str,
    process: subprocess.Popen,
    timeout_s: float = START_TIMEOUT_S,
    log: Path | None = None,
):
    """Poll `url` until it answers 200; fail with the server's stderr (or its `log` file) if
    it exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace") if log else process.stderr.read()
            raise AssertionError(f"server exited: {output}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    tail = log.read_text(errors="replace")[-4000:] if log else ""
    raise AssertionError(f"server did not answer {url} within {timeout_s}s: {tail}")


def stop(process: subprocess.Popen, timeout_s: float = 60, log: Path | None = None) -> None:
    """Terminate gracefully; a process still running after `timeout_s` fails the test with its
    log, after being killed (so no test leaves a server behind). The default outlasts
    gunicorn's own graceful timeout (30 s), after which it kills workers still busy."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)
        tail = log.read_text(errors="replace")[-4000:] if log else ""
        raise AssertionError(f"{process.args} did not stop within {timeout_s}s: {tail}") from None
