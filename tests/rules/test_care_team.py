"""TEAM-DISCRETION, LTSC-CHANGE, STAFFING and CONTACT: who is on the care team, when, and who
is told about changes."""

from tests.rules.given import cbo, directory, evaluate, member


def _with_ltsc(*assignments, consents=()):
    return member(ltsc_assignments=list(assignments), consents=list(consents))


def _ltsc_rows(facts):
    return [r for r in facts["care_team"] if r["role"] == "ltsc"]


def test_team_discretion_accepted_ltsc_joins_with_the_members_consent():
    consent = {
        "consent_id": "CN-1",
        "date": "2026-04-15",
        "staff_id": "LTSC-001",
        "decision": "permit",
        "share": ["care-plan", "contact"],
    }
    record = _with_ltsc(
        {"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}, consents=[consent]
    )
    cc, ltsc = evaluate(record, "2026-05-01")["care_team"]
    assert (cc["role"], cc["staff_id"], cc["start"]) == ("cc", "CC-001", "2026-03-01")
    assert (ltsc["role"], ltsc["start"], ltsc["end"]) == ("ltsc", "2026-04-15", None)
    assert (ltsc["consent_id"], ltsc["consent_decision"]) == ("CN-1", "permit")


def test_team_discretion_latest_decision_wins():
    consents = [
        {"consent_id": "CN-1", "date": "2026-04-15", "staff_id": "LTSC-001", "decision": "permit"},
        {"consent_id": "CN-2", "date": "2026-06-01", "staff_id": "LTSC-001", "decision": "deny"},
    ]
    record = _with_ltsc(
        {"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}, consents=consents
    )
    assert _ltsc_rows(evaluate(record, "2026-05-01"))[0]["consent_id"] == "CN-1"
    assert _ltsc_rows(evaluate(record, "2026-07-01"))[0]["consent_decision"] == "deny"


def test_ltsc_change_keeps_history_and_notifies_cc_and_member_with_new_contact():
    # Given LTS-C 001 replaced at the member's choice by LTS-C 002 on 2026-06-01
    record = _with_ltsc(
        {
            "staff_id": "LTSC-001",
            "start": "2026-04-15",
            "end": "2026-05-31",
            "end_reason": "member-choice",
        },
        {"staff_id": "LTSC-002", "start": "2026-06-01", "end": None},
    )
    facts = evaluate(record, "2026-06-10")
    # Then both periods stay on the team
    assert [(r["staff_id"], r["end"]) for r in _ltsc_rows(facts)] == [
        ("LTSC-001", "2026-05-31"),
        ("LTSC-002", None),
    ]
    # And the CC and the member hear who the new LTS-C is and how to reach them (CONTACT)
    (note,) = facts["notifications"]
    assert (note["topic"], note["sent"], note["about"]) == ("ltsc-change", "2026-06-01", "LTSC-001")
    assert (note["recipient_staff_ids"], note["notify_member"]) == (["CC-001"], True)
    assert note["sender_staff_id"] == "LTSC-002"
    assert "Sam Ltsc-002" in note["text"] and "508-555-0002" in note["text"]
    assert "ltsc-002@cbo.example.org" in note["text"] and "WRLC Center" in note["text"]


def test_staffing_ltsc_leaving_is_a_staffing_change():
    record = _with_ltsc(
        {
            "staff_id": "LTSC-001",
            "start": "2026-04-15",
            "end": "2026-05-31",
            "end_reason": "staff-left",
        },
        {"staff_id": "LTSC-005", "start": "2026-06-03", "end": None},
    )
    (note,) = evaluate(record, "2026-06-10")["notifications"]
    assert (note["topic"], note["sent"]) == ("staffing-change", "2026-06-03")
    assert "508-555-0005" in note["text"]


def test_staffing_cbo_leaving_the_network_ends_participation_and_notifies():
    # Given an LTS-C whose CBO's contract ended on 2026-08-31, with no replacement yet
    staff = directory()
    staff["cbos"][0] = cbo("WCIL", "ILC", ["Worcester"], end="2026-08-31")
    record = _with_ltsc({"staff_id": "LTSC-001", "start": "2026-04-15", "end": None})
    # Before the contract ends nothing changes
    assert _ltsc_rows(evaluate(record, "2026-08-15", staff))[0]["end"] is None
    # After it, the participation ends on the contract end, and the CC and member are told
    facts = evaluate(record, "2026-09-02", staff)
    row = _ltsc_rows(facts)[0]
    assert (row["end"], row["end_reason"]) == ("2026-08-31", "cbo-left-network")
    (note,) = facts["notifications"]
    assert (note["topic"], note["sent"], note["notify_member"]) == (
        "staffing-change",
        "2026-08-31",
        True,
    )
    assert "No new LTS-C is assigned yet" in note["text"]


def test_staffing_no_notification_for_an_assignment_still_running():
    record = _with_ltsc({"staff_id": "LTSC-001", "start": "2026-04-15", "end": "2026-12-31"})
    assert evaluate(record, "2026-06-10")["notifications"] == []


def test_contact_handover_names_the_new_ltsc_cbo_phone_and_email():
    record = _with_ltsc(
        {"staff_id": "LTSC-001", "start": "2026-04-15", "end": "2026-05-31"},
        {"staff_id": "LTSC-003", "start": "2026-06-01", "end": None},
    )
    (note,) = evaluate(record, "2026-06-10")["notifications"]
    assert note["text"].endswith(
        "New LTS-C from 2026-06-01: Sam Ltsc-003, WASAP Center, 508-555-0003, "
        "ltsc-003@cbo.example.org."
    )


def test_team_discretion_deny_ends_the_ltsc_participation_on_the_day_without_a_handover_note():
    consents = [
        {"consent_id": "CN-1", "date": "2026-04-15", "staff_id": "LTSC-001", "decision": "permit"},
        {"consent_id": "CN-2", "date": "2026-06-01", "staff_id": "LTSC-001", "decision": "deny"},
    ]
    record = _with_ltsc(
        {"staff_id": "LTSC-001", "start": "2026-04-15", "end": None}, consents=consents
    )
    facts = evaluate(record, "2026-07-01")
    (row,) = _ltsc_rows(facts)
    assert (row["end"], row["end_reason"]) == ("2026-06-01", "consent-denied")
    assert [
        n for n in facts["notifications"] if n["topic"] in ("ltsc-change", "staffing-change")
    ] == []
    states = {c["consent_id"]: (c["status"], c["end"]) for c in facts["consents"]}
    assert states == {"CN-1": ("inactive", "2026-06-01"), "CN-2": ("active", None)}
    # Before the refusal the LTS-C was on the team under the permit.
    assert _ltsc_rows(evaluate(record, "2026-05-01"))[0]["end"] is None


def test_team_discretion_permit_ends_when_the_ltsc_leaves():
    consents = [
        {"consent_id": "CN-1", "date": "2026-04-15", "staff_id": "LTSC-001", "decision": "permit"}
    ]
    record = _with_ltsc(
        {"staff_id": "LTSC-001", "start": "2026-04-15", "end": "2026-08-31",
         "end_reason": "member-choice"},
        consents=consents,
    )  # fmt: skip
    (state,) = evaluate(record, "2026-09-15")["consents"]
    assert (state["status"], state["end"]) == ("inactive", "2026-08-31")
    (state,) = evaluate(record, "2026-08-15")["consents"]
    assert (state["status"], state["end"]) == ("active", None)
