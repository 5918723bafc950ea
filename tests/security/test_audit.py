"""Audit: an AuditEvent for every read, search, write and refusal, visible to auditors only."""

from __future__ import annotations

import base64

import orjson

from tests.security.conftest import MBIL_MEMBER, MBIL_TASK

CLIENT_ID_SYSTEM = "https://ltsc-adapter.org/fhir/NamingSystem/client-id"


def _events(world) -> list[dict]:
    world.flush_audit()
    headers = world.headers("auditor")
    http = world.client()
    found, url = [], "/fhir/AuditEvent?_count=50"
    while url:
        bundle = http.get(url, headers=headers).get_json()
        found += [e["resource"] for e in bundle.get("entry", [])]
        nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = nxt[0].split("localhost", 1)[1] if nxt else None
    return [e for e in found if e["id"] != "audit-fixture"]


def _client_of(event: dict) -> str:
    return event["agent"][0]["who"]["identifier"]["value"]


def test_read_is_audited_with_who_what_when_and_outcome(fresh_world):
    fresh_world.client().get(f"/fhir/Patient/{MBIL_MEMBER}", headers=fresh_world.headers("cbo_a"))
    [event] = [e for e in _events(fresh_world) if _client_of(e) == "dev-cbo-mbil"]
    assert event["type"]["code"] == "rest"
    assert event["subtype"][0]["code"] == "read"
    assert event["action"] == "R"
    assert event["outcome"] == "0"
    assert event["recorded"]
    assert event["agent"][0]["who"]["identifier"]["system"] == CLIENT_ID_SYSTEM
    assert event["agent"][1]["who"] == {"reference": "Organization/cbo-mbil"}
    assert event["entity"] == [{"what": {"reference": f"Patient/{MBIL_MEMBER}"}}]


def test_search_is_audited_with_its_query(fresh_world):
    fresh_world.client().get("/fhir/Task?status=requested", headers=fresh_world.headers("plan"))
    [event] = [e for e in _events(fresh_world) if _client_of(e) == "dev-plan"]
    assert event["subtype"][0]["code"] == "search-type"
    assert base64.b64decode(event["entity"][0]["query"]) == b"status=requested"


def test_write_is_audited_as_update(fresh_world):
    body = fresh_world.copy_of("Task", MBIL_TASK, MBIL_TASK)
    headers = {**fresh_world.headers("cbo_a"), "Content-Type": "application/fhir+json"}
    response = fresh_world.client().put(
        f"/fhir/Task/{MBIL_TASK}", data=orjson.dumps(body), headers=headers
    )
    assert response.status_code == 200
    [event] = [e for e in _events(fresh_world) if _client_of(e) == "dev-cbo-mbil"]
    assert (event["action"], event["outcome"]) == ("U", "0")


def test_denied_and_anonymous_access_are_audited_as_failures(fresh_world):
    http = fresh_world.client()
    http.get(f"/fhir/Task/{MBIL_TASK}", headers=fresh_world.headers("cbo_b"))  # 404
    http.get(f"/fhir/Task/{MBIL_TASK}")  # 401
    http.get("/fhir/Task", headers=fresh_world.headers("auditor"))  # 403 by scope
    events = _events(fresh_world)
    outcomes = {(_client_of(e), e["outcomeDesc"]) for e in events}
    assert ("dev-cbo-mrlc", "HTTP 404") in outcomes
    assert ("anonymous", "HTTP 401") in outcomes
    assert ("dev-auditor", "HTTP 403") in outcomes
    refused = [e for e in events if e["outcomeDesc"] != "HTTP 200"]
    assert all(e["outcome"] == "4" for e in refused)


def test_audit_events_are_visible_to_auditors_only(fresh_world):
    http = fresh_world.client()
    http.get(f"/fhir/Patient/{MBIL_MEMBER}", headers=fresh_world.headers("plan"))
    assert _events(fresh_world)
    for kind in ("plan", "cbo_a", "admin"):
        bundle = http.get("/fhir/AuditEvent", headers=fresh_world.headers(kind)).get_json()
        if kind == "admin":
            assert bundle["total"] > 0  # administrators see everything
        else:
            assert bundle["total"] == 0, kind
    assert (
        http.get("/fhir/AuditEvent/audit-fixture", headers=fresh_world.headers("plan")).status_code
        == 404
    )


def test_nobody_writes_audit_events_through_the_api(fresh_world):
    event = fresh_world.copy_of("AuditEvent", "audit-fixture", "forged")
    for kind in ("admin", "plan", "auditor"):
        headers = {**fresh_world.headers(kind), "Content-Type": "application/fhir+json"}
        response = fresh_world.client().put(
            "/fhir/AuditEvent/forged", data=orjson.dumps(event), headers=headers
        )
        assert response.status_code == 403, kind
