"""Task updates follow the state machines of adapter.rules.task_states (RECOMMEND, DENIED-ALT)."""

from __future__ import annotations

from tests.api.http import issue_codes, post, put
from tests.api.resources import service_task

TASK = service_task()
TASK_PATH = f"Task/{TASK['id']}"


def moved(status, **changes):
    return {**service_task(status=status), **changes}


def test_new_task_in_any_status_is_stored_as_a_snapshot(client):
    assert (
        put(
            client,
            TASK_PATH,
            moved(
                "completed",
                executionPeriod={"end": "2026-05-20"},
                output=[{"type": {"text": "decision"}, "valueString": "approved"}],
            ),
        ).status_code
        == 201
    )


def test_recommend_authorization_accepted_from_requested(client):
    put(client, TASK_PATH, TASK)
    response = put(client, TASK_PATH, moved("accepted"))
    assert response.status_code == 200
    assert response.get_json(force=True)["status"] == "accepted"


def test_recommend_authorization_cannot_jump_from_requested_to_completed(client):
    put(client, TASK_PATH, TASK)
    response = put(client, TASK_PATH, moved("completed"))
    assert response.status_code == 422
    assert "business-rule" in issue_codes(response)
    assert client.get(f"/fhir/{TASK_PATH}").get_json(force=True)["status"] == "requested"


def test_denied_alt_rejection_needs_a_reason(client):
    put(client, TASK_PATH, TASK)
    refused = put(client, TASK_PATH, moved("rejected"))
    assert refused.status_code == 422
    diagnostics = " ".join(i["diagnostics"] for i in refused.get_json(force=True)["issue"])
    assert "statusReason" in diagnostics
    reason = {"text": "not medically necessary; try flexible benefits"}
    assert put(client, TASK_PATH, moved("rejected", statusReason=reason)).status_code == 200


def test_completed_task_is_final(client):
    put(client, TASK_PATH, TASK)
    put(client, TASK_PATH, moved("rejected", statusReason={"text": "denied"}))
    assert put(client, TASK_PATH, moved("requested")).status_code == 422


def test_transaction_with_an_illegal_move_stores_nothing(client):
    put(client, TASK_PATH, TASK)
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": moved("completed"), "request": {"method": "PUT", "url": TASK_PATH}}],
    }
    response = post(client, "", bundle)
    assert response.status_code == 422
    assert client.get(f"/fhir/{TASK_PATH}").get_json(force=True)["status"] == "requested"


def test_transition_rules_hold_even_when_profile_validation_is_off(make_client):
    client = make_client(validation_mode="off")
    put(client, TASK_PATH, TASK)
    assert put(client, TASK_PATH, moved("completed")).status_code == 422


def test_conditional_update_of_a_task_follows_the_state_machine(client):
    put(client, TASK_PATH, TASK)
    identifier = TASK["identifier"][0]
    query = f"Task?identifier={identifier['system']}|{identifier['value']}"
    assert put(client, query, moved("completed")).status_code == 422
    assert put(client, query, moved("accepted")).status_code == 200


def test_accepted_offer_put_through_the_api_puts_the_ltsc_on_the_care_team(client, store, settings):
    """CHOICE, TEAM-DISCRETION: the rules react to a CBO's or CC's Task update from the API."""
    import json

    from adapter.api.command import load_samples
    from adapter.config import SAMPLES_DIR

    load_samples(store, settings)
    accepted = json.loads((SAMPLES_DIR / "scenarios" / "accept-offer-task.json").read_text())
    chosen = next(o for o in accepted["output"] if o["type"]["coding"][0]["code"] == "chosen-ltsc")
    ltsc = chosen["valueReference"]["reference"]
    team = client.get("/fhir/CareTeam/team-m100010").get_json()
    assert ltsc not in [p["member"]["reference"] for p in team["participant"]]

    response = put(client, f"Task/{accepted['id']}", accepted)

    assert response.status_code == 200, response.get_data(as_text=True)
    team = client.get("/fhir/CareTeam/team-m100010").get_json()
    rows = [p for p in team["participant"] if p["member"]["reference"] == ltsc]
    assert rows and rows[0]["period"]["start"]
    consents = client.get("/fhir/Consent?patient=Patient/mbr-m100010").get_json()
    assert consents["total"] >= 1
