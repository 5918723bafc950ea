"""The web app with 5,000 generated members in a real browser: a Care Coordinator finds a member
by name in one step, sees only their own caseload, and makes an offer with two choices
(CHOICE-TWO); axe-core finds no violation on any page of the journey."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from adapter import clock
from adapter.api import create_app
from adapter.config import Settings
from adapter.rules.choices import ltsc_choices
from adapter.rules.directory import Directory
from adapter.store import open_store
from adapter.store.members import load_plan_export
from adapter.store.schema import member_records
from adapter.webapp.users import hash_password
from tests.webapp.browser import axe_violations, chromium, serving, wait_for_heading
from tests.webapp.scale import build_scale_database

pytestmark = pytest.mark.slow

MEMBERS = 5000
CC_STAFF_ID = "CC-0006"
PASSWORD = "a passphrase for the scale test"


@pytest.fixture(scope="module")
def scale_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("webapp-scale") / "plan.db"
    world = build_scale_database(path, members=MEMBERS)
    assert world.members == MEMBERS
    return path


Record = dict[str, Any]


def caseload(settings: Settings) -> tuple[list[Record], list[Record], Record, Counter]:
    """The CC's members (their current CC assignment), everyone else, the plan directory and
    how many members carry each name."""
    store = open_store(settings.database_url)
    try:
        with store.reading() as conn:
            records = [row.record for row in conn.execute(member_records.select())]
            directory = load_plan_export(conn, "CCA-OC")[1]
    finally:
        store.close()
    names = Counter(full_name(r) for r in records)
    mine = [r for r in records if current_cc(r) == CC_STAFF_ID]
    others = [r for r in records if current_cc(r) != CC_STAFF_ID]
    return mine, others, directory, names


def full_name(record: dict[str, Any]) -> str:
    name = record["member"]["name"]
    return " ".join([*name["given"], name["family"]])


def current_cc(record: dict[str, Any]) -> str | None:
    open_ = [a for a in record.get("care_coordinator_assignments") or [] if a.get("end") is None]
    return open_[-1]["staff_id"] if open_ else None


@pytest.fixture
def scale_app(scale_database: Path, tmp_path: Path, validator: Any) -> Iterator[Any]:
    database = tmp_path / "plan.db"
    shutil.copy(scale_database, database)
    users = tmp_path / "users.yaml"
    entry = {
        "display_name": "Test Coordinator (Care Coordinator)",
        "org_kind": "plan",
        "org_id": "CCA-OC",
        "staff_id": CC_STAFF_ID,
        "password_hash": hash_password(PASSWORD),
    }
    users.write_text(yaml.safe_dump({"cc.test": entry}), encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{database}",
        webapp_users_file=str(users),
        webapp_secret_key="scale-test-secret-key-0123456789abcdef",
    )
    store = open_store(settings.database_url)
    try:
        yield create_app(settings, store=store, validator=validator), settings
    finally:
        store.close()


def no_violations(driver: Any, where: str) -> None:
    found = axe_violations(driver)
    assert found == [], f"{where}: {found}"


def test_a_cc_finds_a_member_among_5000_and_makes_an_offer_with_two_choices(scale_app, tmp_path):
    app, settings = scale_app
    mine, others, directory, names = caseload(settings)
    assert 0 < len(mine) < MEMBERS
    staff = Directory.of(directory)
    member = next(
        r
        for r in mine
        if names[full_name(r)] == 1 and len(ltsc_choices(r, staff, clock.today()).staff_ids) == 2
    )
    name = full_name(member)
    other = next(r for r in others if names[full_name(r)] == 1)
    with serving(app) as base, chromium(tmp_path / "profile") as driver:
        sign_in(driver, base)
        no_violations(driver, "work list")
        driver.find_element(By.LINK_TEXT, "Members").click()
        wait_for_heading(driver, "Members")
        caption = driver.find_element(By.TAG_NAME, "caption").text
        assert caption.endswith(f"of {len(mine)}"), caption  # their caseload, not the plan
        no_violations(driver, "members")

        search = driver.find_element(By.ID, "q")
        search.send_keys(name, Keys.ENTER)  # one step: type the name, press Enter
        wait_for_heading(driver, "Members")
        rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
        assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == [name]
        no_violations(driver, "members search")

        search = driver.find_element(By.ID, "q")
        search.clear()
        search.send_keys(full_name(other), Keys.ENTER)  # another CC's member
        wait_for_heading(driver, "Members")
        assert "No members match your search." in driver.find_element(By.ID, "main").text

        search = driver.find_element(By.ID, "q")
        search.clear()
        search.send_keys(name, Keys.ENTER)
        wait_for_heading(driver, "Members")
        driver.find_element(By.LINK_TEXT, name).click()
        wait_for_heading(driver, f"Shared care plan: {name}")
        no_violations(driver, "member page")

        driver.find_element(By.LINK_TEXT, "Make an LTS-C offer").click()
        wait_for_heading(driver, f"Make an LTS-C offer to {name}")
        no_violations(driver, "new offer")
        checked = driver.find_elements(By.CSS_SELECTOR, "input[name=choices]:checked")
        assert len(checked) == 2  # CHOICE-TWO: two proposed from the directory
        driver.find_element(By.XPATH, "//button[normalize-space()='Record the offer']").click()
        wait_for_heading(driver, f"Shared care plan: {name}")
        main = driver.find_element(By.ID, "main").text
        assert "The offer is recorded." in main
        offers = driver.find_element(By.ID, "offers").text
        assert "LTS-Cs offered:" in offers
        no_violations(driver, "member page after the offer")


def sign_in(driver: Any, base: str) -> None:
    driver.get(f"{base}/app/sign-in")
    driver.find_element(By.ID, "user").send_keys("cc.test")
    driver.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait_for_heading(driver, "Work list")
