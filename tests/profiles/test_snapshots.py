"""Our committed snapshots are what our generator makes from the US Core snapshots (CI check)."""

from __future__ import annotations

from adapter.validation.snapshot import refresh_snapshots
from tests.profiles.loading import PROFILES, artifacts


def test_committed_snapshots_are_fresh():
    stale, failures = refresh_snapshots(PROFILES, write=False)
    assert failures == []
    assert [p.name for p in stale] == [], "run `ltsc-adapter snapshot`"


def elements(profile_id: str) -> dict[str, dict]:
    sd = artifacts()[f"https://ltsc-adapter.org/fhir/StructureDefinition/{profile_id}"]
    return {e["id"]: e for e in sd["snapshot"]["element"]}


def test_snapshots_carry_us_core_constraints_and_slices():
    patient = elements("onecare-patient")
    assert "Patient.extension:race" in patient
    assert patient["Patient.gender"]["min"] == 1
    assert "us-core-6" in {c["key"] for c in patient["Patient.name"]["constraint"]}
    careplan = elements("onecare-careplan")
    assert careplan["CarePlan.category:AssessPlan"]["min"] == 1
    assert careplan["CarePlan.text"]["mustSupport"] is True
    provenance = elements("onecare-provenance")
    assert "Provenance.agent:ProvenanceAuthor" in provenance
