"""Web actions go through the member service: CHOICE, VENDOR-FILL, WAIT, STATUS-SHARE."""

from __future__ import annotations

from tests.webapp.conftest import CC, MBIL_LTSC, csrf, flush_audit, member_link, text_of

OFFER_TASK = "offer-m200002-enrollment-1"  # María Ortiz's open offer OF-1 (CC-0008's member)
FULFILLMENT_TASK = "svc-m100022-sr-1-fulfillment"  # Rose Joseph's wait-listed personal care


def offer_form(client, page: str, **values: str) -> dict[str, str]:
    return {"csrf_token": csrf(client, page), "task_id": OFFER_TASK, "offer_id": "OF-1", **values}


def test_choice_accepting_an_offer_puts_the_chosen_ltsc_on_the_care_team(sign_in):
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    assert "Andrei Volkov" not in text_of(cc.get(page).text).split("Goals")[0]
    form = offer_form(
        cc, page, outcome="accepted", outcome_date="2026-11-20", chosen_staff_id="LTSC-0001"
    )
    response = cc.post(page + "/offers", data=form)
    assert response.status_code == 302
    assert response.location == page + "#offers"
    after = text_of(cc.get(page).text)
    team = after.split("Care team members and how to reach them")[1].split("Goals")[0]
    assert "Andrei Volkov LTS Coordinator Metro Boston Independent Living Center" in team
    assert "from 2026-11-20 (current)" in team
    assert "The member's decision is recorded." in after
    assert "Decision: Accepted (Andrei Volkov)" in after


def test_choice_accepted_offer_shares_the_member_with_the_chosen_ltsc(sign_in):
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    form = offer_form(
        cc, page, outcome="accepted", outcome_date="2026-11-20", chosen_staff_id="LTSC-0001"
    )
    assert cc.post(page + "/offers", data=form).status_code == 302
    assert member_link(sign_in(MBIL_LTSC), "María Ortiz") == page


def test_choice_declined_offer_is_recorded_with_its_date_and_team_unchanged(sign_in, store):
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    form = offer_form(cc, page, outcome="declined", outcome_date="2026-11-19")
    assert cc.post(page + "/offers", data=form).status_code == 302
    task = store.read("Task", OFFER_TASK).resource
    assert task["status"] == "completed"
    assert task["businessStatus"]["coding"][0]["code"] == "declined"
    assert task["executionPeriod"]["end"] == "2026-11-19"
    team = store.read("CareTeam", "team-m200002").resource
    roles = [p["member"]["reference"] for p in team["participant"]]
    assert roles == ["Patient/mbr-m200002", "PractitionerRole/role-cc-0008"]


def test_accepting_without_naming_the_ltsc_is_refused_and_nothing_is_written(sign_in, store):
    before = store.read("Task", OFFER_TASK).version_id
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    response = cc.post(
        page + "/offers", data=offer_form(cc, page, outcome="accepted", outcome_date="2026-11-20")
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Choose the LTS-C the member accepted" in response.text
    assert store.read("Task", OFFER_TASK).version_id == before


def test_a_decision_date_that_is_not_a_date_is_refused(sign_in):
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    form = offer_form(cc, page, outcome="declined", outcome_date="20/11/2026")
    response = cc.post(page + "/offers", data=form)
    assert response.status_code == 422
    assert "Date of the decision must be a date (YYYY-MM-DD)" in response.text


def test_a_decision_the_rules_refuse_is_shown_not_stored(sign_in, store):
    """The member service's own checks apply: a decision before the offer was made."""
    before = store.read("Task", OFFER_TASK).version_id
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    form = offer_form(cc, page, outcome="declined", outcome_date="2020-01-01")
    response = cc.post(page + "/offers", data=form)
    assert response.status_code == 422
    assert "outcome_date" in response.text
    assert store.read("Task", OFFER_TASK).version_id == before


def service_form(client, page: str, **values: str) -> dict[str, str]:
    fields = {"task_id": FULFILLMENT_TASK, "recommendation_id": "SR-1", "date": "2026-11-20"}
    return {"csrf_token": csrf(client, page), **fields, **values}


def test_vendor_fill_setting_the_vendor_and_start_date_notifies_the_cc(sign_in, store):
    cc = sign_in(CC)
    page = member_link(cc, "Rose Joseph")
    form = service_form(
        cc, page, action="vendor-identified", vendor_id="V-HOMECARE-1", expected_start="2026-12-07"
    )
    response = cc.post(page + "/services", data=form)
    assert response.status_code == 302, response.text
    # The wait-listed Task (on hold) cannot be accepted again: it is closed, naming the Task
    # that carries the work on.
    waited = store.read("Task", FULFILLMENT_TASK).resource
    assert waited["status"] == "cancelled"
    successor = waited["statusReason"]["text"].removeprefix("continued in Task/")
    task = store.read("Task", successor).resource
    assert task["status"] == "accepted"
    assert task["businessStatus"]["coding"][0]["code"] == "vendor-identified"
    assert task["restriction"]["period"]["start"] == "2026-12-07"
    notes = text_of(cc.get(page).text).split("Recent notifications")[1]
    assert "Vendor can fill" in notes
    assert "Homemaker: Greater Boston Home Care Partners expects to start on 2026-12-07" in notes
    assert "Greater Boston Home Care Partners Sean Thompson" in notes  # from the vendor, to the CC


def test_vendor_fill_needs_a_vendor_and_an_expected_start(sign_in):
    cc = sign_in(CC)
    page = member_link(cc, "Rose Joseph")
    response = cc.post(page + "/services", data=service_form(cc, page, action="vendor-identified"))
    assert response.status_code == 422
    assert "Expected start date is required" in response.text
    assert "Choose the vendor" in response.text


def test_wait_list_needs_a_reason(sign_in):
    cc = sign_in(CC)
    page = member_link(cc, "Rose Joseph")
    response = cc.post(page + "/services", data=service_form(cc, page, action="wait-listed"))
    assert response.status_code == 422
    assert "Reason for the wait list is required" in response.text


def test_status_share_ltsc_reports_a_hospitalization_to_the_cc(sign_in, store):
    ltsc = sign_in(MBIL_LTSC)
    page = member_link(ltsc, "Rose Joseph")
    form = {
        "csrf_token": csrf(ltsc, page + "/notify"),
        "type": "hospitalization",
        "date": "2026-11-18",
        "description": "admitted after a fall",
        "facility_name": "Boston Medical Center",
    }
    response = ltsc.post(page + "/notify", data=form)
    assert response.status_code == 302
    assert response.location == page + "#notifications"
    notes = text_of(ltsc.get(page).text).split("Recent notifications")[1]
    assert (
        "2026-11-18 Hospitalization Andrei Volkov Sean Thompson Hospitalization on 2026-11-18 at "
        "Boston Medical Center: admitted after a fall"
    ) in notes


def test_status_share_an_address_change_needs_the_new_address(sign_in):
    ltsc = sign_in(MBIL_LTSC)
    page = member_link(ltsc, "Rose Joseph")
    form = {"csrf_token": csrf(ltsc, page), "type": "address-change", "date": "2026-11-18"}
    response = ltsc.post(page + "/notify", data=form)
    assert response.status_code == 422
    assert '<a href="#address_line">Street address is required</a>' in response.text
    assert 'value="address-change" required checked' in response.text


def test_status_share_a_facility_stay_becomes_the_members_temporary_address(sign_in):
    ltsc = sign_in(MBIL_LTSC)
    page = member_link(ltsc, "Rose Joseph")
    form = {
        "csrf_token": csrf(ltsc, page),
        "type": "facility-stay",
        "date": "2026-11-18",
        "facility_name": "Hebrew SeniorLife Rehab",
        "address_line": "1200 Centre St",
        "city": "Boston",
        "state": "MA",
        "postal_code": "02131",
    }
    assert ltsc.post(page + "/notify", data=form).status_code == 302
    member = text_of(ltsc.get(page).text)
    assert "Temporary stay: 1200 Centre St, Boston, MA 02131" in member


def test_a_web_write_is_audited_as_the_signed_in_person(app, sign_in, store):
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    form = offer_form(cc, page, outcome="declined", outcome_date="2026-11-19")
    assert cc.post(page + "/offers", data=form).status_code == 302
    flush_audit(app)
    events = [m.resource for m in store.search("AuditEvent", [("_count", "1000")]).matches]
    writes = [e for e in events if e["action"] == "U"]
    assert len(writes) == 1
    assert writes[0]["entity"] == [{"what": {"reference": "Patient/mbr-m200002"}}]
    assert writes[0]["agent"][0]["altId"] == CC
    assert writes[0]["agent"][1]["who"] == {"reference": "Organization/plan-cca-oc"}


def test_status_share_needs_someone_to_tell(sign_in):
    """A CC's report goes to the member's LTS-C; a member without one has nobody to tell."""
    cc = sign_in(CC)
    page = member_link(cc, "María Ortiz")
    notify = text_of(cc.get(page + "/notify").text)
    assert "This member has no LTS-C on the care team to send a notification to." in notify
    form = {"csrf_token": csrf(cc, page), "type": "worsening-condition", "date": "2026-11-20"}
    assert "has no LTS-C" in cc.post(page + "/notify", data=form).text
    assert "Worsening" not in text_of(cc.get(page).text).split("Recent notifications")[1]


def test_status_share_the_notify_page_names_the_recipient(sign_in):
    ltsc = sign_in(MBIL_LTSC)
    notify = text_of(ltsc.get(member_link(ltsc, "Rose Joseph") + "/notify").text)
    assert "It goes to Sean Thompson (Care Coordinator)." in notify
