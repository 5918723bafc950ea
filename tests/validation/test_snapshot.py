"""Snapshot generation from differentials, and the `snapshot [--check]` command."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from adapter.validation.definitions import Definitions
from adapter.validation.snapshot import SnapshotError, generate_snapshot, render, run_snapshot
from tests.validation.conftest import TEST_BASE
from tests.validation.corpus import PROFILES_DIR


def _elements(definitions: Definitions, profile_id: str) -> dict[str, dict]:
    sd = definitions.structure_definition(f"{TEST_BASE}/StructureDefinition/{profile_id}")
    snapshot = generate_snapshot(sd, definitions)
    return {e["id"]: e for e in snapshot["snapshot"]["element"]}


def test_snapshot_keeps_every_base_element_and_applies_cardinality(definitions):
    elements = _elements(definitions, "test-task")
    base = definitions.structure_definition("Task")["snapshot"]["element"]
    assert {e["id"] for e in base} <= set(elements)
    assert elements["Task.businessStatus"]["min"] == 1
    assert elements["Task.businessStatus"]["binding"]["strength"] == "required"
    assert elements["Task.for"]["type"][0]["targetProfile"] == [
        "http://hl7.org/fhir/StructureDefinition/Patient"
    ]


def test_snapshot_expands_datatype_children_for_nested_constraints(definitions):
    elements = _elements(definitions, "test-task")
    end = elements["Task.restriction.period.end"]
    assert end["mustSupport"] is True
    assert end["path"] == "Task.restriction.period.end"
    assert "Task.restriction.period.start" in elements


def test_snapshot_slices_carry_their_children_after_the_sliced_element(definitions):
    sd = definitions.structure_definition(f"{TEST_BASE}/StructureDefinition/test-task")
    ids = [e["id"] for e in generate_snapshot(sd, definitions)["snapshot"]["element"]]
    choice = ids.index("Task.input:choice")
    assert ids.index("Task.input.value[x]") < choice < ids.index("Task.input:decision")
    assert ids[choice + 1 : choice + 6] == [
        "Task.input:choice.id",
        "Task.input:choice.extension",
        "Task.input:choice.modifierExtension",
        "Task.input:choice.type",
        "Task.input:choice.value[x]",
    ]
    elements = _elements(definitions, "test-task")
    assert elements["Task.input:choice"]["sliceName"] == "choice"
    assert "slicing" not in elements["Task.input:choice"]
    assert elements["Task.input:choice"]["max"] == "2"
    assert elements["Task.input:choice.type"]["patternCodeableConcept"]["coding"][0]["code"] == (
        "choice"
    )


def test_slice_cardinality_starts_from_the_base_not_the_slicing_element(definitions):
    elements = _elements(definitions, "test-comm-pref")
    assert elements["Extension.extension"]["min"] == 1
    assert elements["Extension.extension:note"]["min"] == 0
    assert elements["Extension.extension:method.url"]["fixedUri"] == "method"


def test_constraints_are_appended_with_their_source(definitions):
    elements = _elements(definitions, "test-task")
    keys = [c["key"] for c in elements["Task"]["constraint"]]
    assert keys[:5] == ["dom-2", "dom-3", "dom-4", "dom-5", "dom-6"]
    assert keys[-2:] == ["tt-1", "tt-2"]
    added = elements["Task"]["constraint"][-1]
    assert added["source"] == f"{TEST_BASE}/StructureDefinition/test-task"


def test_fixed_value_replaces_an_inherited_pattern(definitions):
    elements = _elements(definitions, "test-patient")
    system = elements["Patient.identifier:member.system"]
    assert system["fixedUri"] == f"{TEST_BASE}/NamingSystem/member-id"
    assert not [k for k in system if k.startswith("pattern")]


def test_snapshot_generation_is_deterministic_and_keeps_key_order(definitions):
    sd = definitions.structure_definition(f"{TEST_BASE}/StructureDefinition/test-patient")
    first = render(generate_snapshot(sd, definitions))
    assert first == render(generate_snapshot(sd, definitions))
    keys = list(json.loads(first))
    assert keys.index("snapshot") == keys.index("differential") + 1
    assert keys[:2] == ["resourceType", "id"]


def test_unknown_base_definition_is_an_error(definitions):
    sd = {"url": "http://example.org/sd", "baseDefinition": "http://example.org/nowhere"}
    with pytest.raises(SnapshotError, match="not loaded"):
        generate_snapshot(sd, definitions)


def test_differential_element_without_base_element_is_an_error(definitions):
    sd = {
        "url": "http://example.org/sd",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Task",
        "differential": {"element": [{"id": "Task.colour", "path": "Task.colour"}]},
    }
    with pytest.raises(SnapshotError, match=r"Task\.colour"):
        generate_snapshot(sd, definitions)


def _profile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    shutil.copytree(PROFILES_DIR, folder)
    return folder


def test_snapshot_command_writes_then_check_passes(tmp_path, capsys):
    folder = _profile_folder(tmp_path)
    assert run_snapshot(argparse.Namespace(check=True), folder) == 1
    assert "StructureDefinition-test-task.json" in capsys.readouterr().err
    assert run_snapshot(argparse.Namespace(check=False), folder) == 0
    written = json.loads((folder / "StructureDefinition-test-task.json").read_text("utf-8"))
    assert written["snapshot"]["element"][0]["id"] == "Task"
    assert run_snapshot(argparse.Namespace(check=True), folder) == 0


def test_check_lists_a_profile_whose_differential_changed(tmp_path, capsys):
    folder = _profile_folder(tmp_path)
    run_snapshot(argparse.Namespace(check=False), folder)
    path = folder / "StructureDefinition-test-patient.json"
    sd = json.loads(path.read_text("utf-8"))
    sd["differential"]["element"].append(
        {"id": "Patient.active", "path": "Patient.active", "min": 1}
    )
    path.write_text(render(sd), "utf-8")
    capsys.readouterr()
    assert run_snapshot(argparse.Namespace(check=True), folder) == 1
    err = capsys.readouterr().err
    assert "StructureDefinition-test-patient.json" in err
    assert "StructureDefinition-test-task.json" not in err


def test_committed_snapshot_is_not_reused_as_a_base(tmp_path):
    folder = _profile_folder(tmp_path)
    path = folder / "StructureDefinition-test-shortfall.json"
    sd = json.loads(path.read_text("utf-8"))
    sd["snapshot"] = {"element": [{"id": "Extension", "path": "Extension"}]}
    path.write_text(render(sd), "utf-8")
    assert run_snapshot(argparse.Namespace(check=True), folder) == 1
    run_snapshot(argparse.Namespace(check=False), folder)
    fresh = json.loads(path.read_text("utf-8"))
    assert len(fresh["snapshot"]["element"]) > 1


def test_type_named_choice_element_restricts_the_choice(definitions):
    sd = {
        "url": "http://example.org/sd/weight",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Observation",
        "differential": {
            "element": [
                {"id": "Observation.valueQuantity", "path": "Observation.valueQuantity", "min": 1}
            ]
        },
    }
    before = json.dumps(sd, sort_keys=True)
    elements = {e["id"]: e for e in generate_snapshot(sd, definitions)["snapshot"]["element"]}
    value = elements["Observation.value[x]"]
    assert value["min"] == 1 and [t["code"] for t in value["type"]] == ["Quantity"]
    assert json.dumps(sd, sort_keys=True) == before


def test_unreadable_profile_is_a_failure_not_a_traceback(tmp_path, capsys):
    folder = _profile_folder(tmp_path)
    (folder / "StructureDefinition-broken.json").write_text("{not json", "utf-8")
    assert run_snapshot(argparse.Namespace(check=True), folder) == 1
    assert "StructureDefinition-broken.json" in capsys.readouterr().err


def test_malformed_differential_element_is_a_snapshot_error(definitions):
    sd = {
        "url": "http://example.org/sd",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Task",
        "differential": {"element": [{"min": 1}]},
    }
    with pytest.raises(SnapshotError, match="malformed"):
        generate_snapshot(sd, definitions)


def _generate(definitions: Definitions, kind: str, differential: list[dict]) -> dict[str, dict]:
    sd = {
        "resourceType": "StructureDefinition",
        "url": f"{TEST_BASE}/StructureDefinition/generated-{kind.lower()}",
        "type": kind,
        "kind": "resource",
        "derivation": "constraint",
        "baseDefinition": f"http://hl7.org/fhir/StructureDefinition/{kind}",
        "differential": {"element": differential},
    }
    return {e["id"]: e for e in generate_snapshot(sd, definitions)["snapshot"]["element"]}


def test_children_of_a_type_named_choice_live_below_the_choice(definitions):
    elements = _generate(
        definitions,
        "Observation",
        [
            {"id": "Observation.valueQuantity", "path": "Observation.valueQuantity", "min": 1},
            {
                "id": "Observation.valueQuantity.value",
                "path": "Observation.valueQuantity.value",
                "min": 1,
            },
        ],
    )
    assert [t["code"] for t in elements["Observation.value[x]"]["type"]] == ["Quantity"]
    assert elements["Observation.value[x].value"]["min"] == 1
    assert elements["Observation.value[x].value"]["path"] == "Observation.value[x].value"


def test_extension_slices_get_the_default_url_slicing(definitions):
    elements = _generate(
        definitions,
        "Patient",
        [
            {
                "id": "Patient.extension:animal",
                "path": "Patient.extension",
                "sliceName": "animal",
                "type": [
                    {
                        "code": "Extension",
                        "profile": ["http://hl7.org/fhir/StructureDefinition/patient-animal"],
                    }
                ],
            }
        ],
    )
    assert elements["Patient.extension"]["slicing"]["discriminator"] == [
        {"type": "value", "path": "url"}
    ]
    assert elements["Patient.extension:animal"]["min"] == 0


def test_a_new_slice_is_optional_even_below_a_required_element(definitions):
    elements = _generate(
        definitions,
        "Provenance",
        [
            {
                "id": "Provenance.agent",
                "path": "Provenance.agent",
                "slicing": {
                    "discriminator": [{"type": "pattern", "path": "type"}],
                    "rules": "open",
                },
            },
            {"id": "Provenance.agent:author", "path": "Provenance.agent", "sliceName": "author"},
        ],
    )
    assert elements["Provenance.agent"]["min"] == 1
    assert elements["Provenance.agent:author"]["min"] == 0
