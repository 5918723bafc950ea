"""Regenerate docs/screenshots/ (the web app's main pages with the sample data):

.venv/bin/python -m tests.webapp.screenshots [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By

from adapter.api import create_app
from adapter.api.command import load_samples
from adapter.config import PROJECT_ROOT, Settings
from adapter.store import open_store
from tests.webapp.browser import chromium, open_member, serving, sign_in_as, wait_for_heading

OUTPUT = PROJECT_ROOT / "docs" / "screenshots"
WIDTH = 1280


def full_page(driver, path: Path) -> None:
    """The whole page, not only the window."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(max(height, 700), 4000))
    driver.save_screenshot(str(path))
    driver.set_window_size(WIDTH, 900)


def take(base: str, driver, output: Path) -> list[Path]:
    shots = []

    def shot(name: str) -> None:
        shots.append(output / f"{name}.png")
        full_page(driver, shots[-1])

    driver.get(f"{base}/app/sign-in")
    shot("sign-in")
    sign_in_as(driver, base, "Sean Thompson")
    shot("work-list")
    open_member(driver, base, "Rose Joseph")
    shot("care-plan")
    sign_in_as(driver, base, "Dana Reyes")
    driver.get(f"{base}/app/members?q=ortiz&sort=birth")
    shot("members-search")
    open_member(driver, base, "Keisha Robinson")
    driver.find_element(By.LINK_TEXT, "Make an LTS-C offer").click()
    wait_for_heading(driver, "Make an LTS-C offer to Keisha Robinson")
    shot("new-offer")
    open_member(driver, base, "Edwin Cruz")
    driver.get(driver.current_url + "#service-recommendations")
    shot("alternative-search")
    sign_in_as(driver, base, "Andrei Volkov")
    open_member(driver, base, "Rose Joseph")
    driver.find_element(By.LINK_TEXT, "Send a notification to the care team").click()
    wait_for_heading(driver, "Send a notification about Rose Joseph")
    shot("notify")
    driver.get(f"{base}/app/members")
    shot("members")
    driver.get(f"{base}/app/me")
    shot("my-details")
    return shots


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else OUTPUT
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(
            database_url=f"sqlite:///{work}/adapter.db",
            webapp_dev_login=1,
            webapp_secret_key="screenshots-only-secret-key-0123456789",
        )
        store = open_store(settings.database_url)
        try:
            load_samples(store, settings)
            app = create_app(settings, store=store)
            with serving(app) as base, chromium(Path(work) / "profile") as driver:
                shots = take(base, driver, output)
        finally:
            store.close()
    sys.stdout.write("".join(f"{p}\n" for p in shots))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
