"""Scenario bundles for integrators, mapped from the curated sample members by the real pipeline.

Rewrite `samples/scenarios/` with `python -m adapter.testkit.scenarios`.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from adapter.canonical import code_system_url
from adapter.config import SAMPLES_DIR

SCENARIOS_DIR = SAMPLES_DIR / "scenarios"
CATALOGUE_FILE = Path(__file__).with_name("scenarios.yaml")
BUNDLE_FILE = "bundle.json"
README_FILE = "README.md"
# The open offer of the sample export (M100010, AVAIL-AGENCY) that the guide accepts.
ACCEPT_EXAMPLE_FILE = "accept-offer-task.json"
OPEN_OFFER_MEMBER = "M100010"
OPEN_OFFER_TASK = "offer-m100010-agency-dds-affiliation"
ACCEPTED_ON = "2026-11-02"


@dataclass(frozen=True)
class Scenario:
    """One integrator scenario: a curated sample member and what its Bundle shows."""

    slug: str
    title: str
    member_id: str
    rule_ids: tuple[str, ...]
    demonstrates: str
    look_at: tuple[str, ...]


def load_catalogue(path: Path = CATALOGUE_FILE) -> tuple[Scenario, ...]:
    """The scenarios of the catalogue file, in its order."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Scenario(
            slug=e["slug"],
            title=e["title"],
            member_id=e["member_id"],
            rule_ids=tuple(e["rule_ids"]),
            demonstrates=e["demonstrates"],
            look_at=tuple(e["look_at"]),
        )
        for e in entries
    )


SCENARIOS = load_catalogue()


def member_bundles(member_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The mapped transaction Bundles of these sample members, by member id."""
    from adapter.mapping.pipeline import SAMPLE_EXPORT, map_export
    from adapter.records import read_exports

    result = read_exports([SAMPLES_DIR / SAMPLE_EXPORT])
    bundles: dict[str, dict[str, Any]] = {}
    for plan_export in result.exports:
        for member_id, bundle in map_export(plan_export):
            if member_id in member_ids:
                bundles[member_id] = bundle
    return bundles


def scenario_files() -> Iterator[tuple[Path, str]]:
    """Every file of samples/scenarios/ with its exact text, in a fixed order."""
    wanted = {s.member_id for s in SCENARIOS} | {OPEN_OFFER_MEMBER}
    bundles = member_bundles(wanted)
    yield SCENARIOS_DIR / README_FILE, index_readme()
    for scenario in SCENARIOS:
        folder = SCENARIOS_DIR / scenario.slug
        yield folder / BUNDLE_FILE, as_json(bundles[scenario.member_id])
        yield folder / README_FILE, scenario_readme(scenario)
    offer = find_resource(bundles[OPEN_OFFER_MEMBER], "Task", OPEN_OFFER_TASK)
    yield SCENARIOS_DIR / ACCEPT_EXAMPLE_FILE, as_json(accepted_offer(offer))


def as_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def find_resource(bundle: dict[str, Any], rtype: str, rid: str) -> dict[str, Any]:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == rtype and resource["id"] == rid:
            return resource
    raise KeyError(f"{rtype}/{rid} is not in the Bundle")


def accepted_offer(offer: dict[str, Any]) -> dict[str, Any]:
    """The open offer Task as the Care Coordinator records the member's acceptance (CHOICE)."""
    task = copy.deepcopy(offer)
    chosen = task["input"][0]["valueReference"]
    task["status"] = "completed"
    task["businessStatus"] = {"coding": [_coding("offer-business-status", "accepted", "Accepted")]}
    task["executionPeriod"] = {**task.get("executionPeriod", {}), "end": ACCEPTED_ON}
    task["output"] = [
        {
            "type": {"coding": [_coding("task-io-type", "offer-decision", "Offer decision")]},
            "valueCodeableConcept": {"coding": [_coding("offer-outcome", "accepted", "Accepted")]},
        },
        {
            "type": {"coding": [_coding("task-io-type", "chosen-ltsc", "Chosen LTS-C")]},
            "valueReference": dict(chosen),
        },
    ]
    return task


def _coding(code_system: str, code: str, display: str) -> dict[str, str]:
    return {"system": code_system_url(code_system), "code": code, "display": display}


def scenario_readme(scenario: Scenario) -> str:
    look_at = "\n".join(f"- {item}" for item in scenario.look_at)
    return (
        f"# {scenario.title}\n\n"
        f"Sample member `{scenario.member_id}`; rule ids: {', '.join(scenario.rule_ids)}.\n\n"
        f"{scenario.demonstrates}\n\n"
        "`bundle.json` is the member's FHIR R4 transaction Bundle, mapped from "
        "`samples/plan-export.json` by the adapter's pipeline. Resources to look at:\n\n"
        f"{look_at}\n\n"
        "Load it into a FHIR server:\n\n"
        "    curl -X POST \"$FHIR\" -H 'Content-Type: application/fhir+json' \\\n"
        f"         --data-binary @samples/scenarios/{scenario.slug}/bundle.json\n"
    )


def index_readme() -> str:
    rows = "\n".join(
        f"| [{s.slug}]({s.slug}/README.md) | {s.member_id} | {', '.join(s.rule_ids)} | {s.title} |"
        for s in SCENARIOS
    )
    return (
        "# Scenario bundles\n\n"
        "One FHIR R4 transaction Bundle per One Care LTS-C scenario, each valid against the "
        "adapter's profiles (`profiles/`). They are mapped from curated members of the sample "
        "export (`samples/plan-export.json`, see `samples/README.md`) and are generated; do not "
        "edit them by hand. Regenerate with\n\n"
        "    python -m adapter.testkit.scenarios\n\n"
        "| scenario | member | rule ids | what it shows |\n"
        "|---|---|---|---|\n"
        f"{rows}\n\n"
        f"`{ACCEPT_EXAMPLE_FILE}` is the open offer Task of member {OPEN_OFFER_MEMBER} as the "
        "Care Coordinator records the member's acceptance (used by the integrator guide).\n\n"
        "`ltsc-adapter check-server URL` posts these Bundles to a FHIR server and checks what "
        "it gives back (see `docs/integrator-guide.md`).\n"
    )


def load_scenario_bundles(folder: Path = SCENARIOS_DIR) -> list[tuple[str, dict[str, Any]]]:
    """(slug, Bundle) of every scenario, in catalogue order, read from the files."""
    return [
        (s.slug, json.loads((folder / s.slug / BUNDLE_FILE).read_text(encoding="utf-8")))
        for s in SCENARIOS
    ]


def write_scenarios() -> int:
    count = 0
    for path, text in scenario_files():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        count += 1
    return count


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write_scenarios()} files under {SCENARIOS_DIR}\n")
