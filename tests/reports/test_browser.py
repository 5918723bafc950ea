"""REPORT's HTML page in a real headless browser (Debian's chromium): renders, no console errors.

CI needs chromium installed (`apt-get install -y chromium`); without it these tests fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from adapter.reports import compute_report, to_html
from tests.reports.dataset import MEMBERS, OFFERS, Q2_END, Q2_START

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
)  # fmt: skip
# Chromium logs every console message and uncaught error of the page as INFO:CONSOLE.
CONSOLE = re.compile(r":CONSOLE[:(]")


def chromium() -> str:
    found = shutil.which("chromium")
    assert found, "Debian's chromium is required: apt-get install -y chromium"
    return found


def run_chromium(tmp_path, page_html: str, *action: str) -> subprocess.CompletedProcess:
    page = tmp_path / "report.html"
    page.write_text(page_html, encoding="utf-8")
    profile = tmp_path / "profile"
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


@pytest.fixture(scope="module")
def page_html():
    return to_html(compute_report(MEMBERS, OFFERS, Q2_START, Q2_END))


def test_report_page_renders_in_chromium_without_console_errors(tmp_path, page_html):
    result = run_chromium(tmp_path, page_html, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<h1>LTS-C offers and uptake, 2026-04-01 to 2026-06-30</h1>" in dom
    for heading in ("Summary", "Offers over time", "Uptake by CBO type", "Breakdowns"):
        assert f">{heading}</h2>" in dom
    assert dom.count("<svg") == 3
    assert dom.count("<rect") > 10
    assert console_lines(result.stderr) == []


def test_report_page_screenshot_is_a_png(tmp_path, page_html):
    shot = tmp_path / "report.png"
    result = run_chromium(tmp_path, page_html, "--window-size=1000,2400", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a blank page of this size is about 12 kB
    assert console_lines(result.stderr) == []


def test_report_browser_check_catches_a_broken_page(tmp_path):
    broken = "<!DOCTYPE html><html><body><script>undefinedChart();</script></body></html>"
    result = run_chromium(tmp_path, broken, "--dump-dom")
    assert any("undefinedChart" in line for line in console_lines(result.stderr))
