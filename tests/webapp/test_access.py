"""Each user sees only their organization's members and Tasks (TEAM-DISCRETION), by any URL."""

from __future__ import annotations

import re

from adapter.webapp.tokens import member_token
from tests.webapp.conftest import (
    CC,
    MBIL_LTSC,
    MRLC_LTSC,
    SUPERVISOR,
    csrf,
    member_link,
    text_of,
)

ROW_NAME = re.compile(r'<th scope="row"><a href="/app/members/[^"]+">([^<]+)</a></th>')


def names_on_members_list(client, query: str = "") -> set[str]:
    return set(ROW_NAME.findall(client.get(f"/app/members{query}").text))


def test_a_cc_lists_their_own_caseload(sign_in):
    """Members whose care team has the CC (cc.thompson is CC-0008 on six care teams)."""
    names = names_on_members_list(sign_in(CC))
    assert names == {
        "Colleen McCarthy", "Erin Kelly", "María Ortiz", "Nadège Etienne", "Paulo Furtado",
        "Rose Joseph",
    }  # fmt: skip
    assert names_on_members_list(sign_in(CC), "?scope=all") == names  # not a supervisor


def test_a_supervisor_lists_every_member_of_the_plan_or_their_own(sign_in):
    client = sign_in(SUPERVISOR)
    assert len(names_on_members_list(client)) == 45
    assert len(names_on_members_list(client, "?scope=all&page=9")) == 45  # the last page
    assert names_on_members_list(client, "?scope=mine") == set()


def test_team_discretion_ltsc_sees_only_members_whose_care_team_they_are_on(sign_in):
    assert names_on_members_list(sign_in(MBIL_LTSC)) == {"Linda Sullivan", "Rose Joseph"}
    assert names_on_members_list(sign_in(MRLC_LTSC)) == {"Sokha Chea", "Vannak Sok", "Luz Torres"}


def test_cbo_user_cannot_open_another_cbos_member_by_url(sign_in):
    other_cbos_member = member_link(sign_in(MRLC_LTSC), "Sokha Chea")
    mbil = sign_in(MBIL_LTSC)
    response = mbil.get(other_cbos_member)
    assert response.status_code == 404
    assert "Sokha" not in response.text
    assert "does not exist, or you do not have access to it" in text_of(response.text)


def test_cbo_user_cannot_post_to_another_cbos_member_by_url(sign_in):
    other_cbos_member = member_link(sign_in(MRLC_LTSC), "Sokha Chea")
    mbil = sign_in(MBIL_LTSC)
    form = {"csrf_token": csrf(mbil, "/app/work"), "type": "hospitalization", "date": "2026-11-20"}
    assert mbil.post(other_cbos_member + "/notify", data=form).status_code == 404


def test_a_member_token_made_without_the_app_secret_opens_nothing(sign_in):
    guessed = member_token("not-the-app-secret", "mbr-m100022")
    assert sign_in(MBIL_LTSC).get(f"/app/members/{guessed}").status_code == 404


def test_ltsc_cannot_record_an_offer_decision_the_cc_owns(sign_in, store):
    """CHOICE: the offer Task belongs to the member's CC; an LTS-C's form post is refused."""
    task = store.read("Task", "offer-m100022-enrollment-1").resource
    assert task["owner"]["reference"] == "PractitionerRole/role-cc-0008"
    mbil = sign_in(MBIL_LTSC)
    page = member_link(mbil, "Rose Joseph")
    form = {
        "csrf_token": csrf(mbil, page),
        "task_id": "offer-m100022-enrollment-1",
        "offer_id": "OF-1",
        "outcome": "declined",
        "outcome_date": "2026-11-20",
    }
    assert mbil.post(page + "/offers", data=form).status_code == 403
    assert store.read("Task", "offer-m100022-enrollment-1").version_id == task["meta"]["versionId"]


def test_pages_carry_no_member_id_or_name_in_their_urls(sign_in):
    client = sign_in(SUPERVISOR)
    hrefs = re.findall(r'(?:href|action)="([^"]+)"', client.get("/app/members").text)
    member_pages = [h for h in hrefs if h.startswith("/app/members/")]
    assert len(member_pages) == 45
    for href in member_pages:
        assert not re.search(r"m[12]\d{5}|mbr-", href, re.IGNORECASE), href
