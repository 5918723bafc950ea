"""A real server on 127.0.0.1 and Debian's chromium driven by chromedriver, for browser tests.

Needs `apt-get install -y chromium chromium-driver` and `npm ci` (axe-core); without them
the tests fail with a message that says so.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import make_server

from adapter.config import PROJECT_ROOT

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,900",
)  # fmt: skip
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Page loads and axe runs are bounded, so a hung browser fails the test instead of CI.
PAGE_TIMEOUT_SECONDS = 30
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  (result) => done(result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")),
  }))),
  (error) => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]),
);
"""


def required_tool(name: str, install: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is required for the browser tests: {install}"
    return found


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="webapp-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium(profile_dir: Path, *, javascript: bool = True) -> Iterator[webdriver.Chrome]:
    """Headless chromium with a fresh profile, driven through chromedriver; with `javascript`
    off, pages get no script at all (the driver still can run its own)."""
    options = webdriver.ChromeOptions()
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    options.binary_location = required_tool("chromium", "apt-get install -y chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    driver_path = required_tool("chromedriver", "apt-get install -y chromium-driver")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(PAGE_TIMEOUT_SECONDS)
    driver.set_script_timeout(PAGE_TIMEOUT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe-core's violations on the current page (WCAG 2.1 A and AA rules among them)."""
    assert AXE_SCRIPT.exists(), f"axe-core is required: run `npm ci` in {PROJECT_ROOT}"
    driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    return driver.execute_async_script(RUN_AXE)


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def sign_in_as(driver: webdriver.Chrome, base: str, display_name_start: str) -> None:
    """Use the development sign-in page as a person would: press their button."""
    driver.delete_all_cookies()
    driver.get(f"{base}/app/sign-in")
    buttons = driver.find_elements(By.CSS_SELECTOR, "main form button")
    chosen = [b for b in buttons if b.text.startswith(f"Sign in as {display_name_start}")]
    assert len(chosen) == 1, [b.text for b in buttons]
    chosen[0].click()
    wait_for_heading(driver, "Work list")


def wait_for_heading(driver: webdriver.Chrome, text: str) -> None:
    """Wait until the page after a click or a form post has loaded (its h1 reads `text`)."""

    def loaded(_driver: Any) -> bool:
        return driver.find_element(By.TAG_NAME, "h1").text == text

    WebDriverWait(
        driver,
        PAGE_TIMEOUT_SECONDS,
        ignored_exceptions=(StaleElementReferenceException, WebDriverException),
    ).until(loaded, message=f"no page with the heading {text!r}")


def open_member(driver: webdriver.Chrome, base: str, name: str) -> str:
    """Open a member's page from the members list, searched by name; returns its URL."""
    driver.get(f"{base}/app/members?" + urlencode({"q": name, "scope": "all"}))
    driver.find_element(By.LINK_TEXT, name).click()
    wait_for_heading(driver, f"Shared care plan: {name}")
    return driver.current_url
