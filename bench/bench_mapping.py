"""Mapping throughput on one core: a generated export of N members to FHIR transaction Bundles.

Run: .venv/bin/python bench/bench_mapping.py [--members 10000] [--seed 1]

Phases, timed in the same run over the same input:
  floor     parsing the export JSON with orjson and with json (nothing can be faster than this);
  rules     adapter.rules derived facts for every member (input to the mapping, not the mapping);
  map       the mapping engine alone (specs compiled once) -> Bundle dicts;
  map+check the mapping plus the fhir.resources R4B model check of every resource.
Rates use this process's CPU time (one core), so other load on the machine does not skew them;
wall-clock seconds are shown beside. Peak memory is the process's peak resident set size
(Bundles are not kept between members).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from adapter.mapping.directory import DirectoryIndex  # noqa: E402
from adapter.mapping.engine import map_member  # noqa: E402
from adapter.mapping.models import check_bundle  # noqa: E402
from adapter.mapping.pipeline import as_of_date, rules_derive  # noqa: E402
from adapter.mapping.specs import default_mapping_set  # noqa: E402
from adapter.records.generator import generate_export  # noqa: E402

WALL: dict[str, float] = {}


def timed(work: Callable[[], Any], phase: str) -> tuple[float, Any]:
    """CPU seconds of `work` (wall seconds kept in WALL[phase]) and its result."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    WALL[phase] = time.perf_counter() - wall
    return time.process_time() - cpu, result


def map_all(document: dict[str, Any], derived: list[Any], *, check: bool) -> tuple[int, int]:
    """Map every member, optionally model-checking; returns (resources, model issues)."""
    export, directory = document["export"], document["directory"]
    index, mapping = DirectoryIndex(directory), default_mapping_set()
    resources = issues = 0
    for record, facts in zip(document["members"], derived, strict=True):
        bundle = map_member(record, directory, facts, export, index=index, mapping=mapping)
        resources += len(bundle["entry"])
        if check:
            issues += len(check_bundle(bundle))
    return resources, issues


def spent(cpu: float, phase: str) -> str:
    return f"(cpu {cpu:.2f} s, wall {WALL[phase]:.2f} s)"


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    raw = orjson.dumps(generate_export(args.members, args.seed))
    default_mapping_set()  # compile the specs before any clock starts
    t_orjson, document = timed(lambda: orjson.loads(raw), "orjson")
    t_json, _ = timed(lambda: json.loads(raw), "json")
    derive = rules_derive()
    as_of = as_of_date(document["export"])
    t_rules, derived = timed(
        lambda: [derive(m, document["directory"], as_of) for m in document["members"]], "rules"
    )
    t_map, (resources, _) = timed(lambda: map_all(document, derived, check=False), "map")
    t_check, (_, issues) = timed(lambda: map_all(document, derived, check=True), "check")
    n = len(document["members"])
    lines = [
        f"members: {n:,}  input: {len(raw) / 2**20:.1f} MiB  resources: {resources:,}"
        f" ({resources / n:.1f} per member)  model issues: {issues}",
        f"floor, parse only: orjson {n / t_orjson:,.0f} members/s {spent(t_orjson, 'orjson')},"
        f" json {n / t_json:,.0f} members/s {spent(t_json, 'json')}",
        f"rules (derived facts): {n / t_rules:,.0f} members/s {spent(t_rules, 'rules')}",
        f"map, no model check: {n / t_map:,.0f} members/s, {resources / t_map:,.0f} resources/s"
        f" {spent(t_map, 'map')}",
        f"map + R4B model check: {n / t_check:,.0f} members/s,"
        f" {resources / t_check:,.0f} resources/s {spent(t_check, 'check')}",
        f"end to end (parse + rules + map + check): {n / (t_orjson + t_rules + t_check):,.0f}"
        " members/s",
        f"peak memory (RSS): {peak_rss_mib():,.0f} MiB",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if issues == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
