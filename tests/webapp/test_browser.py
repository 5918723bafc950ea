"""The web app in a real headless browser: the main journeys, access by URL, keyboard use and
axe-core's accessibility rules (no violation of any impact on any page)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from tests.webapp.browser import (
    axe_violations,
    chromium,
    open_member,
    serious,
    serving,
    sign_in_as,
    wait_for_heading,
)

pytestmark = pytest.mark.slow

CC_NAME, MBIL_NAME, MRLC_NAME = "Sean Thompson", "Andrei Volkov", "Wilfredo Santiago"
SUPERVISOR_NAME = "Dana Reyes"


@pytest.fixture
def browser(app: Any, tmp_path: Any) -> Iterator[tuple[Any, str]]:
    with serving(app) as base, chromium(tmp_path / "profile") as driver:
        yield driver, base


def section_text(driver: Any, section_id: str) -> str:
    return driver.find_element(By.ID, section_id).text


def test_cc_records_an_accepted_offer_and_sees_the_care_team_update(browser):
    """CHOICE: the member's acceptance puts the chosen LTS-C on the care team."""
    driver, base = browser
    sign_in_as(driver, base, CC_NAME)
    row = driver.find_element(By.XPATH, "//tr[th[normalize-space()='María Ortiz']]")
    row.find_element(By.PARTIAL_LINK_TEXT, "Update").click()
    wait_for_heading(driver, "Shared care plan: María Ortiz")
    offer = driver.find_element(By.ID, "offer-offer-m200002-enrollment-1")
    offer.find_element(By.XPATH, ".//label[normalize-space()='Accepted']").click()
    chosen = offer.find_element(By.XPATH, ".//select[@name='chosen_staff_id']")
    Select(chosen).select_by_visible_text(MBIL_NAME)
    offer.find_element(By.XPATH, ".//button[normalize-space()='Record the decision']").click()
    wait_for_heading(driver, "Shared care plan: María Ortiz")
    assert "The member's decision is recorded." in driver.find_element(By.ID, "main").text
    team = section_text(driver, "care-team")
    assert f"{MBIL_NAME} LTS Coordinator Metro Boston Independent Living Center" in team


def test_every_core_action_works_with_javascript_turned_off(app, tmp_path):
    """CHOICE and STATUS-SHARE with plain forms only: nothing on the pages needs a script."""
    with serving(app) as base, chromium(tmp_path / "profile", javascript=False) as driver:
        sign_in_as(driver, base, CC_NAME)
        open_member(driver, base, "María Ortiz")
        offer = driver.find_element(By.ID, "offer-offer-m200002-enrollment-1")
        offer.find_element(By.XPATH, ".//label[normalize-space()='Declined']").click()
        offer.find_element(By.XPATH, ".//button[normalize-space()='Record the decision']").click()
        wait_for_heading(driver, "Shared care plan: María Ortiz")
        assert "Decision: Declined." in driver.find_element(By.ID, "offers").text
        open_member(driver, base, "Rose Joseph")
        driver.find_element(By.LINK_TEXT, "Send a notification to the care team").click()
        wait_for_heading(driver, "Send a notification about Rose Joseph")
        driver.find_element(By.XPATH, "//label[normalize-space()='Worsening condition']").click()
        driver.find_element(By.ID, "description").send_keys("more falls this week")
        driver.find_element(By.XPATH, "//button[normalize-space()='Send the notification']").click()
        wait_for_heading(driver, "Shared care plan: Rose Joseph")
        notes = section_text(driver, "notifications")
        assert f"Worsening condition {CC_NAME} {MBIL_NAME} Worsening condition on" in notes
        assert "more falls this week" in notes


def test_cc_sets_a_vendor_start_date_and_sees_the_notification(browser):
    """VENDOR-FILL: the vendor and its expected start reach the CC as a notification."""
    driver, base = browser
    sign_in_as(driver, base, CC_NAME)
    open_member(driver, base, "Rose Joseph")
    task = driver.find_element(By.ID, "service-svc-m100022-sr-1-fulfillment")
    task.find_element(
        By.XPATH, ".//label[starts-with(normalize-space(), 'Vendor identified')]"
    ).click()
    Select(task.find_element(By.NAME, "vendor_id")).select_by_visible_text(
        "Greater Boston Home Care Partners"
    )
    start = task.find_element(By.NAME, "expected_start")
    driver.execute_script("arguments[0].value = '2026-12-07'", start)
    task.find_element(By.XPATH, ".//button[normalize-space()='Save the update']").click()
    wait_for_heading(driver, "Shared care plan: Rose Joseph")
    assert "The service is updated." in driver.find_element(By.ID, "main").text
    notes = section_text(driver, "notifications")
    assert "Vendor can fill" in notes
    assert "Homemaker: Greater Boston Home Care Partners expects to start on 2026-12-07" in notes
    assert CC_NAME in notes


def test_cbo_user_cannot_open_another_cbos_member_by_url(browser):
    driver, base = browser
    sign_in_as(driver, base, MRLC_NAME)
    other_cbos_member = open_member(driver, base, "Sokha Chea")
    sign_in_as(driver, base, MBIL_NAME)
    driver.get(other_cbos_member)
    wait_for_heading(driver, "Not Found")
    assert "Sokha" not in driver.page_source


def test_keyboard_user_skips_to_the_main_content_with_a_visible_focus(browser):
    driver, base = browser
    sign_in_as(driver, base, MBIL_NAME)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = driver.switch_to.active_element
    assert focused.text == "Skip to main content"
    assert focused.value_of_css_property("outline-style") == "solid"
    assert focused.value_of_css_property("top") != "-72px"  # moved on screen when focused
    focused.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "main"


def page_paths(driver: Any, base: str, member_name: str) -> list[str]:
    """Every kind of page a CC, a supervisor and an LTS-C reach, signed in as the current user,
    with the lists searched, filtered, sorted and paged."""
    member = open_member(driver, base, member_name).removeprefix(base)
    return [
        "/app/work", "/app/work?overdue=1&sort=name", "/app/members",
        "/app/members?q=joseph&rating=C3&status=ltsc&sort=birth", "/app/members?q=no-such-name",
        member, f"{member}/notify", f"{member}/offers/new", "/app/me", "/app/no-such",
    ]  # fmt: skip


def assert_accessible(driver: Any, where: str) -> None:
    found = axe_violations(driver)
    assert found == [], f"{where}: {found}"


def test_every_page_has_no_accessibility_violations(browser):
    driver, base = browser
    driver.get(f"{base}/app/sign-in")
    assert_accessible(driver, "sign-in")
    for user, member in (
        (CC_NAME, "Rose Joseph"), (SUPERVISOR_NAME, "Edwin Cruz"), (MBIL_NAME, "Rose Joseph"),
    ):  # fmt: skip
        sign_in_as(driver, base, user)
        for path in page_paths(driver, base, member):
            driver.get(base + path)
            assert_accessible(driver, f"{user} {path}")


def test_a_form_with_errors_has_no_accessibility_violations(browser):
    driver, base = browser
    sign_in_as(driver, base, MBIL_NAME)
    open_member(driver, base, "Rose Joseph")
    driver.find_element(By.LINK_TEXT, "Send a notification to the care team").click()
    wait_for_heading(driver, "Send a notification about Rose Joseph")
    driver.find_element(By.XPATH, "//label[starts-with(normalize-space(), 'New home')]").click()
    driver.find_element(By.XPATH, "//button[normalize-space()='Send the notification']").click()
    wait_for_heading(driver, "Send a notification about Rose Joseph")
    summary = driver.find_element(By.CLASS_NAME, "error-summary")
    assert "Street address is required" in summary.text
    assert_accessible(driver, "notify with errors")


def test_the_accessibility_check_catches_a_violation(browser):
    """The check itself can fail: an unlabelled field is a critical violation."""
    driver, base = browser
    driver.get(f"{base}/app/sign-in")
    driver.execute_script(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')"
    )
    assert any(v["id"] == "label" for v in serious(axe_violations(driver)))


def test_an_offer_with_one_choice_and_no_reason_is_explained_accessibly(browser):
    """CHOICE-TWO: the error summary links to the choices; the page has no violation."""
    driver, base = browser
    sign_in_as(driver, base, SUPERVISOR_NAME)
    open_member(driver, base, "Keisha Robinson")
    driver.find_element(By.LINK_TEXT, "Make an LTS-C offer").click()
    wait_for_heading(driver, "Make an LTS-C offer to Keisha Robinson")
    driver.find_elements(By.CSS_SELECTOR, "input[name=choices]:checked")[0].click()
    driver.find_element(By.XPATH, "//button[normalize-space()='Record the offer']").click()
    wait_for_heading(driver, "Make an LTS-C offer to Keisha Robinson")
    summary = driver.find_element(By.CLASS_NAME, "error-summary")
    assert "Offer at least two LTS-Cs (CHOICE-TWO)" in summary.text
    summary.find_element(By.TAG_NAME, "a").click()
    assert driver.current_url.endswith("#choices")
    assert len(driver.find_elements(By.CSS_SELECTOR, "input[name=choices]:checked")) == 1
    assert_accessible(driver, "new offer with errors")
