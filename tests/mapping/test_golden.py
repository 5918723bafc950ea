"""Golden files: each scenario's input maps to exactly its expected Bundles."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from adapter.mapping.output import bundle_json
from adapter.mapping.pipeline import as_of_date, map_export_checked
from adapter.rules import evaluate_member

from .conftest import GOLDEN_DIR, load_scenario

SCENARIOS = sorted(p for p in GOLDEN_DIR.iterdir() if (p / "input.json").exists())
# Enough diff lines to see what moved without drowning the report.
MAX_DIFF_LINES = 40


def mapped(folder: Path) -> dict[str, dict[str, Any]]:
    document, derived = load_scenario(folder)
    members = map_export_checked(
        document, derive=lambda record, _d, _a: derived[record["member"]["member_id"]]
    )
    out = {}
    for member_id, bundle, issues in members:
        assert issues == [], f"{member_id}: {issues}"
        out[member_id] = bundle
    return out


def short_diff(expected: Any, actual: Any) -> str:
    lines = difflib.unified_diff(
        json.dumps(expected, indent=1, sort_keys=True).splitlines(),
        json.dumps(actual, indent=1, sort_keys=True).splitlines(),
        "expected",
        "actual",
        lineterm="",
    )
    return "\n".join(list(lines)[:MAX_DIFF_LINES])


def derived_by_rules(folder: Path) -> dict[str, Any]:
    """What the One Care rules derive for the scenario's members, as of its generated_at."""
    document = json.loads((folder / "input.json").read_text(encoding="utf-8"))
    as_of = as_of_date(document["export"])
    return {
        record["member"]["member_id"]: evaluate_member(record, document["directory"], as_of)
        for record in document["members"]
    }


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_report_golden_derived_facts_are_what_the_rules_derive(
    folder: Path, update_golden: bool
) -> None:
    # REPORT, OFFER-90, CHOICE: the golden derived.json is the rules' output, not a hand copy.
    derived = derived_by_rules(folder)
    path = folder / "derived.json"
    if update_golden:
        path.write_text(json.dumps(derived, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert expected == derived, f"{folder.name}/derived.json differs:\n" + short_diff(
        expected, derived
    )


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_maps_to_expected_bundles(folder: Path, update_golden: bool) -> None:
    bundles = mapped(folder)
    expected_dir = folder / "expected"
    if update_golden:
        expected_dir.mkdir(exist_ok=True)
        for old in expected_dir.glob("*.json"):
            old.unlink()
        for member_id, bundle in bundles.items():
            (expected_dir / f"{member_id}.json").write_bytes(bundle_json(bundle))
    expected_files = sorted(expected_dir.glob("*.json"))
    assert sorted(p.stem for p in expected_files) == sorted(bundles)
    for path in expected_files:
        expected = json.loads(path.read_text(encoding="utf-8"))
        actual = bundles[path.stem]
        assert actual == expected, f"{folder.name}/{path.name} differs:\n" + short_diff(
            expected, actual
        )


def test_golden_files_are_written_byte_for_byte_as_the_mapping_writes_them() -> None:
    for folder in SCENARIOS:
        for member_id, bundle in mapped(folder).items():
            path = folder / "expected" / f"{member_id}.json"
            assert path.read_bytes() == bundle_json(bundle), path
