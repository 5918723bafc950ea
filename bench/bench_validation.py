"""Validation throughput on one core: our validator (all checks) against fhir.resources R4B alone.

Run: .venv/bin/python bench/bench_validation.py [--seconds 5]

The sample is the valid examples under profiles/examples/ (each against its meta.profile) plus
hand-built base R4 resources, so every profile, binding, slice and invariant path is exercised.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fhir.resources.R4B import get_fhir_model_class  # noqa: E402

from adapter.validation import default_validator  # noqa: E402

EXAMPLES = ROOT / "profiles" / "examples"

BASE_RESOURCES: list[dict[str, Any]] = [
    {
        "resourceType": "Patient",
        "id": "mbr-m100001",
        "identifier": [
            {"system": "https://www.mass.gov/masshealth/member-id", "value": "100012345678"}
        ],
        "name": [{"family": "Santos", "given": ["Maria", "L."]}],
        "gender": "female",
        "birthDate": "1971-03-14",
        "telecom": [{"system": "phone", "value": "508-555-0142", "use": "mobile"}],
        "address": [
            {"line": ["12 Elm St"], "city": "Worcester", "state": "MA", "postalCode": "01604"}
        ],
    },
    {
        "resourceType": "Task",
        "id": "offer-m100001-offer-1",
        "status": "completed",
        "intent": "order",
        "priority": "routine",
        "for": {"reference": "Patient/mbr-m100001"},
        "authoredOn": "2026-03-01",
        "owner": {"reference": "PractitionerRole/role-cc-0001"},
        "restriction": {"period": {"end": "2026-05-30"}},
        "input": [
            {"type": {"text": "choice"}, "valueReference": {"reference": "PractitionerRole/r1"}},
            {"type": {"text": "choice"}, "valueReference": {"reference": "PractitionerRole/r7"}},
        ],
        "output": [
            {"type": {"text": "chosen"}, "valueReference": {"reference": "PractitionerRole/r1"}}
        ],
    },
    {
        "resourceType": "CareTeam",
        "id": "team-m100001",
        "status": "active",
        "subject": {"reference": "Patient/mbr-m100001"},
        "participant": [
            {
                "member": {"reference": "PractitionerRole/role-cc-0001"},
                "period": {"start": "2026-03-01"},
            },
            {
                "member": {"reference": "PractitionerRole/role-ltsc-0001"},
                "period": {"start": "2026-04-15"},
            },
        ],
    },
    {
        "resourceType": "Organization",
        "id": "cbo-bcil",
        "name": "Boston Center for Independent Living",
        "telecom": [{"system": "phone", "value": "617-338-6665"}],
    },
]


def sample() -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = list(BASE_RESOURCES)
    for path in sorted(EXAMPLES.glob("*.json")) if EXAMPLES.is_dir() else []:
        if "-bad-" not in path.name and path.name != "expected-errors.json":
            resources.append(json.loads(path.read_text("utf-8")))
    return resources


def throughput(check: Callable[[dict[str, Any]], object], items, seconds: float) -> float:
    """Resources per CPU second of this process (one core, unaffected by other load)."""
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for resource in items:
            check(resource)
        done += len(items)
    return done / (time.process_time() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    validator = default_validator()
    items = sample()
    for resource in items:  # warm the caches: compiled models, expansions, FHIRPath
        validator.validate(resource)
    ours = throughput(validator.validate, items, args.seconds)

    def model_only(resource: dict[str, Any]) -> object:
        return get_fhir_model_class(resource["resourceType"]).model_validate(resource)

    theirs = throughput(model_only, items, args.seconds)
    errors = sum(1 for r in items for i in validator.validate(r) if i.is_error)
    lines = [
        f"resources in sample: {len(items)} (errors reported: {errors})",
        f"adapter validator, all checks: {ours:,.0f} resources/s",
        f"fhir.resources R4B model_validate only: {theirs:,.0f} resources/s",
        f"ratio (ours / model only): {ours / theirs:.2f}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
