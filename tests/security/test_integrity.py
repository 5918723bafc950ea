"""Verification and compartment decisions that once failed open or answered 500."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapter import clock
from adapter.security import AccessPolicy, AuthError, Principal
from adapter.security.audit import Access, audit_event
from adapter.security.dev_keys import DEV_ISSUER, DEV_KID, audience
from adapter.security.tokens import JwksSource, TokenVerifier
from tests.security.conftest import MBIL_MEMBER

ROLE = "PractitionerRole/role-ltsc-0001"  # MBIL's LTS-C on M100016's care team since 2026-09-15
PAST = "2026-10-01"  # before the test clock's day (2026-11-02)
# M100016's permits: 2024-11-12 (its earlier MBIL LTS-C) and 2026-09-15 (the current one).
PERMITS = ("consent-m100016-cn-1", "consent-m100016-cn-2")


def _cbo(org_id: str = "MBIL") -> Principal:
    return Principal("t", f"dev-cbo-{org_id.lower()}", "cbo", org_id, frozenset({"system/*.rs"}))


def _members(world) -> frozenset[str]:
    return AccessPolicy(world.store, cache_seconds=0).member_ids(_cbo())


def _claims(world) -> dict:
    now = int(clock.timestamp())
    return {
        "iss": DEV_ISSUER,
        "sub": "dev-plan",
        "client_id": "dev-plan",
        "aud": audience(world.settings),
        "iat": now,
        "exp": now + 300,
        "scope": "system/*.cruds",
    }


# -- tokens -------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "RS384"])
def test_an_rsa_token_against_the_ec_key_is_refused_with_401_not_500(world, alg):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(world), key, algorithm=alg, headers={"kid": DEV_KID})
    response = world.client().get(
        f"/fhir/Patient/{MBIL_MEMBER}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"


def test_the_key_decides_the_algorithm_not_the_token_header(world, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(
        json.dumps({"keys": [{**jwk, "kid": "r1", "alg": "RS256", "use": "sig"}]})
    )
    verifier = TokenVerifier(
        JwksSource(str(tmp_path / "jwks.json")), DEV_ISSUER, audience(world.settings)
    )
    right = jwt.encode(_claims(world), key, algorithm="RS256", headers={"kid": "r1"})
    wrong = jwt.encode(_claims(world), key, algorithm="RS384", headers={"kid": "r1"})
    assert isinstance(verifier.verify(right), dict)
    refused = verifier.verify(wrong)
    assert isinstance(refused, AuthError)
    assert "does not match its signing key" in refused.message


def test_the_verifier_never_raises(world, tmp_path):
    (tmp_path / "jwks.json").write_text('{"keys": "not a list"}')
    verifier = TokenVerifier(JwksSource(str(tmp_path / "jwks.json")), DEV_ISSUER, "aud")
    odd = ["", "a.b.c", "e30.e30.", None, 42, "eyJhbGciOiJSUzI1NiJ9." * 3]
    assert all(isinstance(verifier.verify(t), AuthError) for t in odd)  # type: ignore[arg-type]


# -- audit --------------------------------------------------------------------------------


def test_audit_events_carry_no_raw_control_bytes():
    event = audit_event(None, Access("read", 401, "Patient", "x\x00y\ud800"), clock.now())
    text = json.dumps(event, ensure_ascii=False)
    assert "\x00" not in text and "\ud800" not in text.encode("utf-8", "surrogatepass").decode(
        "utf-8", "replace"
    )
    assert event["entity"][0]["what"]["reference"] == "Patient/x\\x00y\\ud800"


# -- consent (TEAM-DISCRETION) -------------------------------------------------------------


def _deny(when: str, actor: str = ROLE, **provision) -> dict:
    return {
        "resourceType": "Consent",
        "id": f"deny-{when}",
        "status": "active",
        "scope": {"coding": [{"code": "patient-privacy"}]},
        "category": [{"coding": [{"code": "IDSCL"}]}],
        "patient": {"reference": f"Patient/{MBIL_MEMBER}"},
        "dateTime": when,
        "provision": {
            "type": "deny",
            "period": {"start": when},
            "actor": [{"reference": {"reference": actor}}],
            **provision,
        },
    }


def _edit(world, rtype: str, rid: str, change) -> None:
    resource = world.store.read(rtype, rid).resource
    change(resource)
    world.store.update(rtype, rid, resource)


def test_team_discretion_permit_grants_before_any_change(fresh_world):
    assert MBIL_MEMBER in _members(fresh_world)


def test_team_discretion_a_later_deny_by_absolute_reference_wins(fresh_world):
    absolute = f"https://ehr.example.org/fhir/{ROLE}/_history/3"
    fresh_world.store.update("Consent", "deny-abs", {**_deny(PAST, absolute), "id": "deny-abs"})
    assert MBIL_MEMBER not in _members(fresh_world)


def test_team_discretion_permit_and_deny_on_the_same_day_deny_wins(fresh_world):
    # Its id sorts first: the decision must not depend on the order Consents are found in.
    fresh_world.store.update("Consent", "a-deny-tie", {**_deny("2026-09-15"), "id": "a-deny-tie"})
    assert MBIL_MEMBER not in _members(fresh_world)


def test_team_discretion_an_expired_permit_grants_nothing(fresh_world):
    def expire(consent):
        consent["provision"]["period"]["end"] = PAST

    for consent in PERMITS:
        _edit(fresh_world, "Consent", consent, expire)
    assert MBIL_MEMBER not in _members(fresh_world)


def test_team_discretion_a_consent_without_provision_type_denies(fresh_world):
    _edit(fresh_world, "Consent", "consent-m100016-cn-2", lambda c: c["provision"].pop("type"))
    assert MBIL_MEMBER not in _members(fresh_world)


def test_team_discretion_an_unknown_provision_type_denies(fresh_world):
    def odd(consent):
        consent["provision"]["type"] = "maybe"

    _edit(fresh_world, "Consent", "consent-m100016-cn-2", odd)
    assert MBIL_MEMBER not in _members(fresh_world)


def _set_role_end(end: str):
    def change(team):
        for participant in team["participant"]:
            if participant["member"]["reference"] == ROLE:
                participant["period"]["end"] = end

    return change


def test_team_discretion_an_ended_care_team_role_grants_nothing(fresh_world):
    _edit(fresh_world, "CareTeam", "team-m100016", _set_role_end(PAST))
    assert MBIL_MEMBER not in _members(fresh_world)


def test_team_discretion_a_role_ending_in_the_future_still_grants(fresh_world):
    _edit(fresh_world, "CareTeam", "team-m100016", _set_role_end("2099-01-01"))
    assert MBIL_MEMBER in _members(fresh_world)


def test_team_discretion_an_inactive_care_team_grants_nothing(fresh_world):
    _edit(fresh_world, "CareTeam", "team-m100016", lambda t: t.update(status="inactive"))
    assert MBIL_MEMBER not in _members(fresh_world)


def test_team_discretion_an_inactive_consent_decides_nothing(fresh_world):
    for consent in PERMITS:
        _edit(fresh_world, "Consent", consent, lambda c: c.update(status="inactive"))
    assert MBIL_MEMBER not in _members(fresh_world)


# -- caching ------------------------------------------------------------------------------


def test_a_write_by_another_process_is_seen_at_once_despite_the_cache(fresh_world):
    policy = AccessPolicy(fresh_world.store, cache_seconds=3600)
    assert MBIL_MEMBER in policy.member_ids(_cbo())
    # As the member service (or another worker) would: straight to the store, no forget().
    fresh_world.store.update("Consent", "deny-now", {**_deny(PAST), "id": "deny-now"})
    assert MBIL_MEMBER not in policy.member_ids(_cbo())


def test_a_forget_during_a_computation_is_not_undone_by_its_result(fresh_world):
    computed = []

    class Racing(AccessPolicy):
        def _compute(self, principal):
            found = super()._compute(principal)
            if not computed:
                self.forget()  # another thread's write, while this one computes
            computed.append(found)
            return found

    policy = Racing(fresh_world.store, cache_seconds=3600)
    policy.member_ids(_cbo())
    policy.member_ids(_cbo())
    assert len(computed) == 2  # the first result was not kept
    policy.member_ids(_cbo())
    assert len(computed) == 2  # the second was


# -- size ---------------------------------------------------------------------------------


def test_a_cbo_with_a_thousand_staff_roles_is_served(fresh_world):
    entries = []
    for n in range(1000):
        role = {
            "resourceType": "PractitionerRole",
            "id": f"role-bulk-{n}",
            "active": True,
            "organization": {"reference": "Organization/cbo-mbil"},
        }
        url = f"PractitionerRole/role-bulk-{n}"
        entries.append({"resource": role, "request": {"method": "PUT", "url": url}})
    fresh_world.store.transaction(
        {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    )
    headers = fresh_world.headers("cbo_a")
    started = time.monotonic()
    for path in (
        "/fhir/Task",
        "/fhir/ServiceRequest",
        "/fhir/CareTeam",
        f"/fhir/Patient/{MBIL_MEMBER}",
    ):
        response = fresh_world.client().get(path, headers=headers)
        assert response.status_code == 200, (path, response.get_data()[:300])
    assert time.monotonic() - started < 600  # bounded, not a timing assertion on speed


def test_an_administrator_reaches_everything_and_an_auditor_only_audit_events(world):
    from adapter.security.authenticate import ADMIN

    policy = AccessPolicy(world.store)
    auditor = Principal("a", "dev-auditor", "auditor", "", frozenset({"system/AuditEvent.rs"}))
    patient = {"resourceType": "Patient", "id": MBIL_MEMBER}
    audit = {"resourceType": "AuditEvent", "id": "e"}
    assert policy.can_access(ADMIN, patient) and policy.can_access(ADMIN, audit)
    assert policy.can_access(auditor, audit) and not policy.can_access(auditor, patient)
    assert not policy.can_access(_cbo(), audit)


def test_auditors_write_nothing_and_nobody_writes_audit_events_or_subscriptions(world):
    from adapter.security.authenticate import ADMIN

    policy = AccessPolicy(world.store)
    auditor = Principal("a", "dev-auditor", "auditor", "", frozenset({"system/*.cruds"}))
    plan = Principal("p", "dev-plan", "plan", "CCA-OC", frozenset({"system/*.cruds"}))
    organization = {"resourceType": "Organization", "id": "o"}
    assert policy.can_write(plan, organization)
    assert not policy.can_write(auditor, organization)
    for rtype in ("AuditEvent", "Subscription"):
        assert not policy.can_write(plan, {"resourceType": rtype, "id": "x"})
    assert not policy.can_write(ADMIN, {"resourceType": "AuditEvent", "id": "x"})


def test_an_update_is_written_against_the_version_whose_access_was_checked(fresh_world):
    """A Task reassigned to another CBO between the check and the write is not overwritten."""
    from adapter.errors import NotFound
    from adapter.security import GuardedStore
    from tests.security.conftest import MBIL_TASK

    store = fresh_world.store

    class Interleaved:
        """The real store, with another writer's change landing just before the first write."""

        def __init__(self) -> None:
            self.raced = False

        def __getattr__(self, name):
            return getattr(store, name)

        def update(self, rtype, rid, resource, **options):
            if not self.raced:
                self.raced = True
                moved = store.read("Task", MBIL_TASK).resource
                moved["owner"] = {"reference": "Organization/cbo-mrlc"}
                store.update("Task", MBIL_TASK, moved)
            return store.update(rtype, rid, resource, **options)

    guarded = GuardedStore(Interleaved(), AccessPolicy(store, cache_seconds=0), _cbo())
    mine = store.read("Task", MBIL_TASK).resource
    with pytest.raises(NotFound):
        guarded.update("Task", MBIL_TASK, {**mine, "status": "accepted"})
    after = store.read("Task", MBIL_TASK).resource
    assert after["owner"] == {"reference": "Organization/cbo-mrlc"}
    assert after["status"] == "requested"
