"""TEAM-DISCRETION: the member's Consent decides whether the LTS-C takes part and who sees what."""

from __future__ import annotations

from adapter.security.compartments import cbo_compartment
from tests.services.conftest import resources

DENY = {
    "consent_id": "CN-2",
    "date": "2026-10-20",
    "staff_id": "LTSC-0017",
    "decision": "deny",
    "share": [],
}


def _ltsc_row(store, member: str, role: str) -> dict:
    team = store.read("CareTeam", f"team-{member}").resource
    (row,) = [p for p in team["participant"] if p["member"]["reference"] == role]
    return row


def test_team_discretion_deny_consent_removes_the_ltsc_from_team_care_plan_and_cbo_view(
    service, store, export_of
):
    # Given M100011, whose LTS-C LTSC-0017 (MRLC) takes part with the member's permit
    service.ingest(export_of("M100011"))
    role = "PractitionerRole/role-ltsc-0017"
    assert "end" not in _ltsc_row(store, "m100011", role).get("period", {})
    assert "mbr-m100011" in cbo_compartment(store, "MRLC").members

    # When the member refuses the LTS-C's participation
    service.apply_event("M100011", "consents", DENY)

    # Then the LTS-C's care team period ends that day, the care plan no longer names them as a
    # contributor, the CBO's compartment loses the member, and the permit is no longer in force
    assert _ltsc_row(store, "m100011", role)["period"]["end"] == "2026-10-20"
    plan = store.read("CarePlan", "plan-m100011").resource
    assert {"reference": role} not in plan["contributor"]
    assert "mbr-m100011" not in cbo_compartment(store, "MRLC").members
    consents = {c["id"]: c for c in resources(store, "Consent", "Patient/mbr-m100011")}
    assert consents["consent-m100011-cn-1"]["status"] == "inactive"
    assert consents["consent-m100011-cn-1"]["provision"]["period"]["end"] == "2026-10-20"
    assert consents["consent-m100011-cn-2"]["status"] == "active"
    assert consents["consent-m100011-cn-2"]["provision"]["type"] == "deny"


def test_team_discretion_permit_consent_ends_when_the_ltsc_leaves(service, store, export_of):
    # M100015 changed LTS-C: the permit naming the first LTS-C ended with their participation.
    service.ingest(export_of("M100015"))
    consents = resources(store, "Consent", "Patient/mbr-m100015")
    ended = [c for c in consents if c["status"] == "inactive"]
    assert ended, [c["status"] for c in consents]
    for consent in ended:
        assert consent["provision"]["period"]["end"]
    assert any(c["status"] == "active" for c in consents)
