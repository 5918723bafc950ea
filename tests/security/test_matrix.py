"""The access matrix: every interaction x resource type x kind of client, allowed or refused.

Expectations are restated here from the rules in docs/security.md, not computed by the policy:
TEAM-DISCRETION gives CBO A (MBIL) the member M100016 (its LTS-C on the care team, consent
permits); CBO B (MRLC) does not serve M100016. Refused reads answer 404 (existence hidden),
refused writes 403, missing scopes 403, missing tokens 401.
"""

from __future__ import annotations

import itertools
import uuid

import orjson
import pytest

from tests.security.conftest import AUDIT_FIXTURE, MBIL_MEMBER, MBIL_SERVICE, MBIL_TASK

TARGETS = {
    "Patient": MBIL_MEMBER,
    "CareTeam": "team-m100016",
    "Consent": "consent-m100016-cn-2",
    "Task": MBIL_TASK,
    "ServiceRequest": MBIL_SERVICE,
    "Organization": "cbo-mbil",
    "AuditEvent": AUDIT_FIXTURE,
}
CLIENTS = ("plan", "cbo_a", "cbo_b", "ehr", "auditor", "none")
INTERACTIONS = ("read", "vread", "search", "history", "validate", "create", "update", "delete")
MEMBER_FACING = {"Patient", "CareTeam", "Consent", "Task", "ServiceRequest", "Organization"}
# What each client may see and write among the targets (its compartment).
VISIBLE = {
    "plan": MEMBER_FACING,
    "ehr": MEMBER_FACING,
    "cbo_a": MEMBER_FACING,
    "cbo_b": {"Organization"},
    "auditor": {"AuditEvent"},
}
WRITABLE = {
    "plan": MEMBER_FACING,
    "ehr": MEMBER_FACING,
    "cbo_a": {"Task"},
    "cbo_b": set(),
    "auditor": set(),
}
# SMART permission letters each client's token carries, per type.
PERMISSIONS = {
    "plan": lambda t: "cruds",
    "cbo_a": lambda t: "cruds",
    "cbo_b": lambda t: "cruds",
    "ehr": lambda t: "rs",
    "auditor": lambda t: "rs" if t == "AuditEvent" else "",
}
NEEDS = {
    "read": "r",
    "vread": "r",
    "history": "r",
    "search": "s",
    "validate": "cu",
    "create": "c",
    "update": "u",
    "delete": "d",
}


def expected(interaction: str, rtype: str, client: str) -> int:
    if client == "none":
        return 401
    if not set(NEEDS[interaction]) & set(PERMISSIONS[client](rtype)):
        return 403
    visible = rtype in VISIBLE[client]
    if interaction == "delete" and rtype == "Patient" and client.startswith("cbo"):
        visible = False  # the spare Patient is on no care team, so on no CBO's list
    if interaction == "search":
        return 200
    if interaction == "create":
        return 201 if rtype in WRITABLE[client] else 403
    if interaction == "update" and rtype not in WRITABLE[client]:
        return 403  # judged on the body alone, before the id is looked up
    if not visible:
        return 404
    if interaction in ("update", "delete"):
        if rtype not in WRITABLE[client]:
            return 403
        return 200 if interaction == "update" else 204
    return 200


def perform(world, interaction: str, rtype: str, client: str):
    http = world.client()
    headers = {} if client == "none" else world.headers(client)
    rid = TARGETS[rtype]
    json_headers = {**headers, "Content-Type": "application/fhir+json"}
    if interaction == "read":
        return http.get(f"/fhir/{rtype}/{rid}", headers=headers)
    if interaction == "vread":
        return http.get(f"/fhir/{rtype}/{rid}/_history/1", headers=headers)
    if interaction == "search":
        return http.get(f"/fhir/{rtype}?_id={rid}", headers=headers)
    if interaction == "history":
        return http.get(f"/fhir/{rtype}/{rid}/_history", headers=headers)
    if interaction == "validate":
        return http.post(f"/fhir/{rtype}/{rid}/$validate", headers=headers)
    if interaction == "update":
        body = world.copy_of(rtype, rid, rid)
        return http.put(f"/fhir/{rtype}/{rid}", data=orjson.dumps(body), headers=json_headers)
    if interaction == "create":
        body = world.copy_of(rtype, rid, "ignored")
        del body["id"]
        return http.post(f"/fhir/{rtype}", data=orjson.dumps(body), headers=json_headers)
    # delete: a throw-away copy of the target, so the shared sample data stays whole
    spare = f"spare-{uuid.uuid4().hex[:12]}"
    world.store.update(rtype, spare, world.copy_of(rtype, rid, spare))
    world.forget_compartments()  # written behind the API's back, as a loader would
    return http.delete(f"/fhir/{rtype}/{spare}", headers=headers)


CASES = list(itertools.product(INTERACTIONS, TARGETS, CLIENTS))


@pytest.mark.parametrize(("interaction", "rtype", "client"), CASES)
def test_access_matrix(world, interaction, rtype, client):
    response = perform(world, interaction, rtype, client)
    assert response.status_code == expected(interaction, rtype, client), response.get_data()[:300]
    if interaction == "search" and response.status_code == 200:
        bundle = response.get_json(force=True)
        assert bundle["total"] == (1 if rtype in VISIBLE[client] else 0)
    if response.status_code in (401, 403, 404):
        assert response.get_json(force=True)["resourceType"] == "OperationOutcome"
