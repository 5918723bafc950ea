"""Work lists: open offers and service Tasks, overdue first, each user's own only."""

from __future__ import annotations

import re

from adapter import clock
from tests.webapp.conftest import CC, MBIL_LTSC, SUPERVISOR, text_of

ROW = re.compile(r"<tr(?: class=\"overdue\")?>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", re.S)


def rows(html: str, section: str) -> list[tuple[str, str]]:
    part = html.split(f'id="{section}-title"')[1].split("</section>")[0]
    return [(name, text_of(rest)) for name, rest in ROW.findall(part)]


def test_offer_90_overdue_offers_come_first(sign_in):
    offers = rows(sign_in(SUPERVISOR).get("/app/work").text, "offers")
    flags = ["Overdue" in text for _, text in offers]
    assert flags == sorted(flags, reverse=True)
    assert flags[0] is True
    assert flags[-1] is False
    maria = dict(offers)["María Ortiz"]
    assert maria.startswith("617-555-0129 Spanish (interpreter needed) LTS-C offer: Within 90 days")
    assert "Offered on time (2026-10-28), awaiting decision" in maria
    assert "Due 2026-11-30" in maria
    assert " Update " in maria
    # CHOICE-TWO, CONTACT: each LTS-C offered with their CBO and direct line
    assert "Andrei Volkov, Metro Boston Independent Living Center, 617-555-0115 x201" in maria


def test_offer_90_an_offer_made_on_time_is_never_overdue_later(sign_in):
    """The rules' verdict, not a date comparison: made before its due date, it stays on time."""
    with clock.pinned("2027-03-01T15:00:00Z"):
        offers = dict(rows(sign_in(CC).get("/app/work").text, "offers"))
    maria = offers["María Ortiz"]
    assert "Overdue" not in maria
    assert "Offered on time (2026-10-28), awaiting decision" in maria


def test_offer_90_an_unmade_offer_says_by_how_many_days_it_is_overdue(sign_in):
    with clock.pinned("2026-12-01T09:00:00Z"):
        before = dict(rows(sign_in(SUPERVISOR).get("/app/work").text, "offers"))
    with clock.pinned("2026-12-11T09:00:00Z"):
        after = dict(rows(sign_in(SUPERVISOR).get("/app/work").text, "offers"))
    keisha_before, keisha_after = before["Keisha Robinson"], after["Keisha Robinson"]
    assert "Due 2026-11-30" in keisha_after
    assert "Within 90 days of enrollment Overdue 1 day Not offered, overdue by 1 day " in (
        keisha_before
    )
    assert "Overdue 11 days Not offered, overdue by 11 days" in keisha_after


def test_an_offer_only_due_is_made_from_the_work_list(sign_in):
    offers = dict(rows(sign_in(SUPERVISOR).get("/app/work").text, "offers"))
    assert "Not offered yet, due in 7 days" in offers["Keisha Robinson"]
    assert " Make offer LTS-C offer: " in offers["Keisha Robinson"]


def test_a_cc_work_list_holds_only_their_caseload(sign_in):
    offers = rows(sign_in(CC).get("/app/work").text, "offers")
    assert {name for name, _ in offers} <= {
        "Colleen McCarthy", "Erin Kelly", "María Ortiz", "Nadège Etienne", "Paulo Furtado",
        "Rose Joseph",
    }  # fmt: skip
    assert "María Ortiz" in dict(offers)


def test_the_work_list_shows_labels_not_codes(sign_in):
    """No rule codes repeated, no raw Task status codes, no vendor ids: our displays."""
    page = text_of(sign_in(SUPERVISOR).get("/app/work").text)
    assert "OFFER-ANNUAL" not in page and "OFFER-90" not in page
    assert "on-hold" not in page and "V-MEALS-1" not in page and "V-HOMECARE" not in page
    assert "Initial intake or annual assessment" in page


def test_ltsc_work_list_holds_only_their_members_referrals(sign_in):
    page = sign_in(MBIL_LTSC).get("/app/work").text
    assert rows(page, "offers") == []
    assert "No open LTS-C offers." in page
    services = rows(page, "services")
    assert {name for name, _ in services} == {"Rose Joseph"}
    assert all(text.endswith(f"for {name}") for name, text in services)
    assert all(" View " in f" {text} " for _, text in services)  # the plan's Tasks, not theirs
