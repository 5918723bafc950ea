"""New LTS-C offers (CHOICE-TWO) and alternatives to denied services (DENIED-ALT) made in the
web app, written through the member service."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapter.webapp.users import hash_password
from tests.webapp.conftest import MBIL_LTSC, SUPERVISOR, csrf, member_link, text_of

KEISHA_DUE_OFFER = "offer-m100001-enrollment-1"  # OFFER-90, due 2026-11-30, not made yet


def offer_page(client) -> str:
    return member_link(client, "Keisha Robinson") + "/offers/new"


def checked_choices(html: str) -> list[str]:
    return [
        part.split('value="')[1].split('"')[0]
        for part in html.split('name="choices"')[1:]
        if " checked" in part.split(">")[0]
    ]


def test_choice_two_the_form_proposes_two_ltscs_from_different_cbos(sign_in):
    client = sign_in(SUPERVISOR)
    html = client.get(offer_page(client)).text
    page = text_of(html)
    proposed = checked_choices(html)
    assert len(proposed) == 2
    assert "Metro Boston Independent Living Center" in page  # Suffolk county CBOs
    assert "Metro Recovery Learning Community" in page
    assert '<option value="OFFER-90" selected>' in html  # the reason the offer is due


def test_choice_two_making_the_offer_answers_the_due_offer(sign_in, store):
    client = sign_in(SUPERVISOR)
    path = offer_page(client)
    html = client.get(path).text
    form = {
        "csrf_token": csrf(client, path),
        "trigger": "OFFER-90",
        "offered_on": "2026-11-23",
        "choices": checked_choices(html),
    }
    response = client.post(path, data=form)
    assert response.status_code == 302, text_of(response.text)
    task = store.read("Task", KEISHA_DUE_OFFER).resource
    assert task["status"] == "in-progress"
    assert task["executionPeriod"]["start"] == "2026-11-23"
    offered = [i["valueReference"]["reference"] for i in task["input"]]
    assert len(offered) == 2
    provenance = store.search("Provenance", [("target", f"Task/{KEISHA_DUE_OFFER}")])
    assert provenance.matches  # the member service wrote the new version's Provenance
    member = text_of(client.get(response.location.split("#")[0]).text)
    assert "The offer is recorded." in member
    assert "LTS-Cs offered:" in member


def test_choice_two_one_choice_needs_a_reason(sign_in, store):
    before = store.read("Task", KEISHA_DUE_OFFER).version_id
    client = sign_in(SUPERVISOR)
    path = offer_page(client)
    one = checked_choices(client.get(path).text)[:1]
    form = {"csrf_token": csrf(client, path), "trigger": "OFFER-90", "offered_on": "2026-11-23"}
    response = client.post(path, data={**form, "choices": one})
    assert response.status_code == 422
    assert "Offer at least two LTS-Cs (CHOICE-TWO), or say why fewer" in text_of(response.text)
    assert store.read("Task", KEISHA_DUE_OFFER).version_id == before


def test_choice_two_a_shortfall_reason_the_directory_contradicts_is_refused(sign_in, store):
    """The rules check the reason against the directory (two CBOs serve Suffolk county)."""
    client = sign_in(SUPERVISOR)
    path = offer_page(client)
    one = checked_choices(client.get(path).text)[:1]
    form = {
        "csrf_token": csrf(client, path),
        "trigger": "OFFER-90",
        "offered_on": "2026-11-23",
        "choices": one,
        "fewer_choices_reason": "fewer-than-two-cbos",
    }
    response = client.post(path, data=form)
    assert response.status_code == 422
    assert "fewer-than-two-cbos is not true on 2026-11-23" in text_of(response.text)


def test_choice_two_two_ltscs_of_one_cbo_are_refused(sign_in):
    """LTSC-0001 and LTSC-0002 both work for Metro Boston Independent Living Center."""
    client = sign_in(SUPERVISOR)
    path = offer_page(client)
    form = {
        "csrf_token": csrf(client, path),
        "trigger": "OFFER-90",
        "offered_on": "2026-11-23",
        "choices": ["LTSC-0001", "LTSC-0002"],
    }
    response = client.post(path, data=form)
    assert response.status_code == 422
    assert "Offer LTS-Cs from at least two different CBOs (CHOICE-TWO)" in text_of(response.text)


def test_an_ltsc_cannot_make_offers(sign_in):
    client = sign_in(MBIL_LTSC)
    page = member_link(client, "Rose Joseph")
    assert client.get(page + "/offers/new").status_code == 403
    assert "Make an LTS-C offer" not in client.get(page).text


def cc_users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.yaml"
    entry = {
        "display_name": "Ines Pereira (Care Coordinator)",
        "org_kind": "plan",
        "org_id": "CCA-OC",
        "staff_id": "CC-0001",
        "password_hash": hash_password("a long enough password"),
    }
    path.write_text(yaml.safe_dump({"cc.pereira": entry}), encoding="utf-8")
    return path


def test_denied_alt_the_cc_records_the_alternative_found(make_app, tmp_path, store):
    app = make_app(webapp_users_file=str(cc_users_file(tmp_path)))
    client = app.test_client()
    form = {"csrf_token": csrf(client), "user": "cc.pereira", "password": "a long enough password"}
    assert client.post("/app/sign-in", data=form).status_code == 302
    page = member_link(client, "Edwin Cruz")
    html = client.get(page).text
    assert "The alternative found (DENIED-ALT)" in html
    alternative = {
        "csrf_token": csrf(client, page),
        "task_id": "svc-m200001-sr-1-alternative-search",
        "recommendation_id": "SR-1",
        "service_type": "peer-support",
        "note": "peer support group at the RLC, flexible benefit",
        "date": "2026-11-23",
    }
    response = client.post(page + "/alternatives", data=alternative)
    assert response.status_code == 302, text_of(response.text)
    search = store.read("Task", "svc-m200001-sr-1-alternative-search").resource
    assert search["status"] == "completed"
    after = text_of(client.get(page).text)
    assert "The alternative is recorded and sent for authorization." in after
    assert "Peer support: authorization — Pending authorization" in after


def test_denied_alt_needs_a_service(make_app, tmp_path):
    app = make_app(webapp_users_file=str(cc_users_file(tmp_path)))
    client = app.test_client()
    form = {"csrf_token": csrf(client), "user": "cc.pereira", "password": "a long enough password"}
    client.post("/app/sign-in", data=form)
    page = member_link(client, "Edwin Cruz")
    alternative = {
        "csrf_token": csrf(client, page),
        "task_id": "svc-m200001-sr-1-alternative-search",
        "recommendation_id": "SR-1",
        "date": "2026-11-23",
    }
    response = client.post(page + "/alternatives", data=alternative)
    assert response.status_code == 422
    assert "The alternative service is required" in text_of(response.text)
