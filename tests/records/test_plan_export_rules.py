"""TEAM-DISCRETION's Care Coordinator: a plan's own export names every member's CC (a
plan-export rule), while a care team read from an EHR document validates without one."""

from __future__ import annotations

import copy
import json

import orjson

from adapter.config import PROFILES_DIR, SAMPLES_DIR
from adapter.records import read_exports
from adapter.validation import default_validator

CARE_TEAM = "https://ltsc-adapter.org/fhir/StructureDefinition/ltsc-careteam"


def test_team_discretion_a_plan_export_member_without_a_care_coordinator_is_refused(tmp_path):
    document = orjson.loads((SAMPLES_DIR / "plan-export.json").read_bytes())
    document["members"][0]["care_coordinator_assignments"] = []
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(document))
    result = read_exports([path])
    [error] = result.errors
    assert (error.location, error.field) == ("/members/0", "care_coordinator_assignments")
    assert "names every member's Care Coordinator (TEAM-DISCRETION)" in error.message
    assert result.members_rejected == 1


def test_team_discretion_a_care_team_without_a_care_coordinator_validates():
    example = json.loads((PROFILES_DIR / "examples" / "ltsc-careteam-santos.json").read_text())
    team = copy.deepcopy(example)
    team["participant"] = [
        p
        for p in team["participant"]
        if not any(c.get("code") == "cc" for r in p["role"] for c in r.get("coding", []))
    ]
    assert len(team["participant"]) < len(example["participant"])
    errors = [i for i in default_validator().validate(team, [CARE_TEAM]) if i.is_error]
    assert errors == []
