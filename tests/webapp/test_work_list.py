"""Work lists: open offers and service Tasks, overdue first, each user's own only."""

from __future__ import annotations

import re

from tests.webapp.conftest import CC, MBIL_LTSC, text_of

ROW = re.compile(r"<tr(?: class=\"overdue\")?>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", re.S)


def rows(html: str, section: str) -> list[tuple[str, str]]:
    part = html.split(f'id="{section}-title"')[1].split("</section>")[0]
    return [(name, text_of(rest)) for name, rest in ROW.findall(part)]


def test_offer_90_overdue_offers_come_first(sign_in):
    offers = rows(sign_in(CC).get("/app/work").text, "offers")
    flags = ["Overdue" in text for _, text in offers]
    assert flags == sorted(flags, reverse=True)
    assert flags[0] is True
    assert flags[-1] is False
    maria = dict(offers)["María Ortiz"]
    assert maria.startswith("LTS-C offer (OFFER-90) Offered — offered, awaiting the member's")
    assert "Due 2026-11-30 Update" in maria


def test_an_offer_only_due_is_viewed_not_updated_here(sign_in):
    offers = dict(rows(sign_in(CC).get("/app/work").text, "offers"))
    assert "due, not yet offered" in offers["Keisha Robinson"]
    assert offers["Keisha Robinson"].split("Due 2026-")[1].split()[1] == "View"


def test_ltsc_work_list_holds_only_their_members_referrals(sign_in):
    page = sign_in(MBIL_LTSC).get("/app/work").text
    assert rows(page, "offers") == []
    assert "No open LTS-C offers." in page
    services = rows(page, "services")
    assert {name for name, _ in services} == {"Rose Joseph"}
    assert all(text.endswith(f"for {name}") for name, text in services)
    assert all(" View " in f" {text} " for _, text in services)  # the plan's Tasks, not theirs
