"""Compartments larger than one search criterion can carry still filter searches exactly."""

from __future__ import annotations

from adapter.security import AccessPolicy, GuardedStore, Principal
from adapter.store import open_store

MEMBERS = 420  # above the 300 values one criterion carries


def _store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/large.db", page_size_default=10, page_size_max=100)
    for n in range(MEMBERS + 1):
        plan = "plan-a" if n < MEMBERS else "plan-b"
        patient = {"resourceType": "Patient", "id": f"mbr-{n}"}
        patient["managingOrganization"] = {"reference": f"Organization/{plan}"}
        store.update("Patient", f"mbr-{n}", patient)
        team = {"resourceType": "CareTeam", "id": f"team-{n}"}
        team["subject"] = {"reference": f"Patient/mbr-{n}"}
        store.update("CareTeam", f"team-{n}", team)
    return store


def test_plan_search_over_a_large_compartment_counts_only_its_members(tmp_path):
    store = _store(tmp_path)
    plan_a = Principal("t", "a", "plan", "A", frozenset({"system/*.rs"}))
    guarded = GuardedStore(store, AccessPolicy(store), plan_a)
    page = guarded.search("CareTeam", [("_count", "10")])
    assert page.total == MEMBERS
    assert all(m.id != f"team-{MEMBERS}" for m in page.matches)
    assert page.next_params is not None
    assert not any(name == "_id" for name, _ in page.next_params)
    other = guarded.search("CareTeam", [("_id", f"team-{MEMBERS}")])
    assert other.total == 0
    store.close()
