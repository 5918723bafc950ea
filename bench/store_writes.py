"""Store write and search throughput: creates/s, transaction Bundles/s and a search, per database.

.venv/bin/python bench/store_writes.py --url sqlite:///var/bench.db --count 2000
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from typing import Any

from adapter.store import open_store


def offer_task(member: str, n: int) -> dict[str, Any]:
    return {
        "resourceType": "Task",
        "meta": {"profile": ["https://ltsc-adapter.org/fhir/StructureDefinition/ltsc-offer-task"]},
        "identifier": [
            {
                "system": "https://ltsc-adapter.org/fhir/NamingSystem/source-record",
                "value": f"{member}/OF-{n}",
            }
        ],
        "status": "ready",
        "intent": "order",
        "priority": "routine",
        "code": {
            "coding": [
                {
                    "system": "https://ltsc-adapter.org/fhir/CodeSystem/task-code",
                    "code": "ltsc-offer",
                }
            ]
        },
        "businessStatus": {"text": "due"},
        "for": {"reference": f"Patient/{member}"},
        "owner": {"reference": "PractitionerRole/role-cc-0001"},
        "authoredOn": "2026-03-01",
        "restriction": {"period": {"end": "2026-05-30"}},
    }


def member_bundle(n: int) -> dict[str, Any]:
    member = f"mbr-b{n}"
    patient = {
        "resourceType": "Patient",
        "id": member,
        "name": [{"family": f"Member{n}"}],
        "identifier": [{"system": "urn:bench", "value": str(n)}],
    }
    entries = [("Patient", member, patient)]
    entries += [
        ("Task", f"offer-{member}-{k}", {**offer_task(member, k), "id": f"offer-{member}-{k}"})
        for k in range(8)
    ]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{t}/{i}')}",
                "resource": r,
                "request": {"method": "PUT", "url": f"{t}/{i}"},
            }
            for t, i, r in entries
        ],
    }


def timed(label: str, count: int, action: Any) -> None:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    sys.stdout.write(f"{label}: {count} in {elapsed:.2f}s = {count / elapsed:.0f}/s\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="sqlite:///var/bench.db")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    store = open_store(args.url)
    run = uuid.uuid4().hex[:8]
    timed(
        "creates",
        args.count,
        lambda: [store.create(offer_task(f"mbr-{run}-{n % 50}", n)) for n in range(args.count)],
    )
    bundles = max(args.count // 10, 1)
    timed(
        "transaction bundles (9 PUTs each)",
        bundles,
        lambda: [store.transaction(member_bundle(n)) for n in range(bundles)],
    )
    timed(
        "searches (patient + status, _count=20)",
        200,
        lambda: [
            store.search(
                "Task", [("patient", f"mbr-{run}-{n % 50}"), ("status", "ready"), ("_count", "20")]
            )
            for n in range(200)
        ],
    )
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
