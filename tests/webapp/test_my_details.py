"""CONTACT, STAFFING: a coordinator updates their own contact details and time off."""

from __future__ import annotations

from tests.webapp.conftest import CC, MBIL_LTSC, csrf, member_link, text_of


def details_form(client, **values: str) -> dict[str, str]:
    base = {
        "csrf_token": csrf(client, "/app/me"),
        "phone": "617-555-0115 x209",
        "email": "avolkov@mbil.example.org",
        "schedule": "Mon-Thu 9-5",
    }
    return {**base, **values}


def test_contact_ltsc_new_direct_line_shows_on_the_care_teams_they_are_on(sign_in, store):
    ltsc = sign_in(MBIL_LTSC)
    response = ltsc.post("/app/me", data=details_form(ltsc))
    assert response.status_code == 302
    role = store.read("PractitionerRole", "role-ltsc-0001").resource
    assert {"system": "phone", "value": "617-555-0115 x209", "use": "work"} in role["telecom"]
    assert role["availabilityExceptions"] == "Mon-Thu 9-5"
    cc = sign_in(CC)
    team = text_of(cc.get(member_link(cc, "Rose Joseph")).text)
    assert "Andrei Volkov LTS Coordinator" in team
    assert "Phone 617-555-0115 x209" in team


def test_staffing_time_off_is_added_and_removed(sign_in, store):
    ltsc = sign_in(MBIL_LTSC)
    page = text_of(ltsc.get("/app/me").text)
    assert "Remove 2026-11-22 to 2026-12-02" in page
    form = details_form(ltsc, time_off_start="2026-12-24", time_off_end="2027-01-02") | {
        "remove_time_off": "2026-11-22/2026-12-02"
    }
    assert ltsc.post("/app/me", data=form).status_code == 302
    role = store.read("PractitionerRole", "role-ltsc-0001").resource
    periods = [n["during"] for n in role["notAvailable"]]
    assert periods == [{"start": "2026-12-24", "end": "2027-01-02"}]


def test_a_malformed_phone_or_time_off_is_refused_and_nothing_changes(sign_in, store):
    before = store.read("PractitionerRole", "role-ltsc-0001").version_id
    ltsc = sign_in(MBIL_LTSC)
    form = details_form(
        ltsc, phone="call me", time_off_start="2027-01-05", time_off_end="2027-01-01"
    )
    response = ltsc.post("/app/me", data=form)
    assert response.status_code == 422
    assert "Phone:" in response.text
    assert "the last not before the first" in response.text
    assert store.read("PractitionerRole", "role-ltsc-0001").version_id == before
