"""The members list and the work list at caseload size: search, filters, sorting, pages."""

from __future__ import annotations

import re

from adapter import clock
from adapter.webapp import lists
from tests.webapp.conftest import CC, SUPERVISOR, text_of

NAME = re.compile(r'<th scope="row"><a href="/app/members/[^"]+">([^<]+)</a></th>')


def names(client, **query: str) -> list[str]:
    return NAME.findall(client.get("/app/members", query_string=query).text)


def test_search_finds_a_member_by_any_part_of_the_name_ignoring_accents_and_case(sign_in):
    client = sign_in(SUPERVISOR)
    assert names(client, q="ortiz") == ["María Ortiz", "Migdalia Ortiz"]
    assert names(client, q="MARIA ortiz") == ["María Ortiz"]
    assert names(client, q="keisha rob") == ["Keisha Robinson"]


def test_search_finds_a_member_by_member_id_or_birth_date(sign_in):
    client = sign_in(SUPERVISOR)
    assert names(client, q="m200001") == ["Edwin Cruz"]
    assert names(client, q="1988-07-19") == ["Keisha Robinson"]
    assert names(client, q="7/19/1988") == ["Keisha Robinson"]


def test_a_search_without_matches_says_so(sign_in):
    page = text_of(sign_in(SUPERVISOR).get("/app/members?q=nobody-by-that-name").text)
    assert "No members match your search." in page


def test_a_cc_search_stays_in_their_caseload(sign_in):
    client = sign_in(CC)
    assert names(client, q="keisha") == []  # Keisha Robinson is another CC's member
    assert names(client, q="ortiz") == ["María Ortiz"]


def test_rating_category_filter_shows_its_display(sign_in):
    client = sign_in(SUPERVISOR)
    found = names(client, rating="C3")
    assert len(found) == 10
    page = text_of(client.get("/app/members?rating=C3").text)
    assert "High community need" in page


def test_cbo_filter_lists_members_whose_ltsc_works_there(sign_in):
    client = sign_in(SUPERVISOR)
    assert set(names(client, cbo="Organization/cbo-mbil")) == {
        "Linda Sullivan", "Nadège Etienne", "Rose Joseph",
    }  # fmt: skip


def test_status_and_overdue_filters(sign_in):
    client = sign_in(SUPERVISOR)
    with_ltsc = set(names(client, status="ltsc"))
    assert {"Linda Sullivan", "Rose Joseph"} <= with_ltsc
    assert "Keisha Robinson" in names(client, status="offer-open")
    with clock.pinned("2026-12-11T09:00:00Z"):
        client = sign_in(SUPERVISOR)  # a session idle for 18 days has ended
        overdue = names(client, overdue="1")
        page = text_of(client.get("/app/members?overdue=1").text)
    assert "Keisha Robinson" in overdue
    assert "Overdue by 11 days" in page


def test_due_this_week_filter_on_the_work_list(sign_in):
    page = sign_in(SUPERVISOR).get("/app/work?week=1").text
    offers = text_of(page.split('id="offers-title"')[1].split("</section>")[0])
    assert "Keisha Robinson" in offers  # due 2026-11-30, seven days from the pinned today
    assert "Overdue" not in offers


def test_sorting_by_birth_date(sign_in):
    client = sign_in(SUPERVISOR)
    page = client.get("/app/members?sort=birth").text
    births = re.findall(r'</a></th>\s*<td class="date">(\d{4}-\d{2}-\d{2})</td>', page)
    assert births == sorted(births) and len(births) == 45


def test_pages_of_fifty(sign_in, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 10)
    client = sign_in(SUPERVISOR)
    first, fifth = names(client), names(client, page="5")
    assert len(first) == 10 and len(fifth) == 5
    page = text_of(client.get("/app/members?page=2").text)
    assert "11 to 20 of 45" in page
    assert "Page 2 of 5" in page and "Previous page" in page and "Next page" in page


def test_every_row_has_phone_and_preferred_language(sign_in):
    page = sign_in(SUPERVISOR).get("/app/members").text
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 45
    ortiz = text_of(next(r for r in rows if "María Ortiz" in r))
    assert "617-555-0129" in ortiz and "Spanish (interpreter needed)" in ortiz


def test_the_caseload_view_sees_a_write_made_after_it_was_built(sign_in, store):
    """A change by another process (here: straight through the store) shows on the next page."""
    client = sign_in(SUPERVISOR)
    assert names(client, q="maria ortiz") == ["María Ortiz"]
    patient = store.read("Patient", "mbr-m200002").resource
    patient["name"][0]["family"] = "Ortiz-Vega"
    store.update("Patient", "mbr-m200002", patient)
    assert names(client, q="vega") == ["María Ortiz-Vega"]
