"""Mapping throughput: a generated export of N members to validated FHIR transaction Bundles.

Run: .venv/bin/python bench/bench_mapping.py [--members 2000] [--seed 1]
                                             [--cli-members 50000] [--jobs 2]

In-process phases, timed in the same run over the same input, one core (CPU seconds of this
process, so other load on the machine does not skew them; wall seconds beside):
  floor      parsing the export with orjson (the baseline: nothing can be faster);
  rules      adapter.rules derived facts for every member;
  map        the mapping engine alone (specs compiled once) -> Bundle dicts;
  map+valid  the mapping plus our profile validator on each Bundle (what `map` does);
  map+model  the mapping plus the fhir.resources R4B model check (`map --model-check` adds it).

With --cli-members, `ltsc-adapter map` itself runs as a process on a generated NDJSON export of
that many members (`--format ndjson`, validation on, `--jobs`): wall seconds, members/s, and the
peak resident set of the largest process (the main one or a worker), once at a tenth of the size
and once at the full size, so flat memory shows as the same peak.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from adapter.mapping.models import check_bundle  # noqa: E402
from adapter.mapping.pipeline import export_scope  # noqa: E402
from adapter.records.generator import generate_export  # noqa: E402
from adapter.records.ndjson_form import write_ndjson  # noqa: E402
from adapter.validation import default_validator  # noqa: E402

WALL: dict[str, float] = {}


def timed(work: Callable[[], Any], phase: str) -> tuple[float, Any]:
    """CPU seconds of `work` (wall seconds kept in WALL[phase]) and its result."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    WALL[phase] = time.perf_counter() - wall
    return time.process_time() - cpu, result


def map_all(document: dict[str, Any], check: Callable[[dict], list] | None) -> tuple[int, int]:
    """Map every member, checking each Bundle when asked; (resources, error issues)."""
    scope = export_scope(document["export"], document["directory"])
    resources = errors = 0
    for record in document["members"]:
        bundle = scope.map(record).bundle
        resources += len(bundle["entry"])
        if check is not None:
            errors += sum(1 for issue in check(bundle) if issue.is_error)
    return resources, errors


def rules_all(document: dict[str, Any]) -> int:
    scope = export_scope(document["export"], document["directory"])
    for record in document["members"]:
        scope.derive(record, scope.directory, scope.as_of)
    return len(document["members"])


def in_process(members: int, seed: int) -> tuple[list[str], int]:
    raw = orjson.dumps(generate_export(members, seed))
    validate = default_validator().validate
    # Compile the specs and every profile a member Bundle uses before any clock starts.
    warm = orjson.loads(raw)
    map_all({**warm, "members": warm["members"][:5]}, validate)
    t_floor, document = timed(lambda: orjson.loads(raw), "floor")
    t_rules, _ = timed(lambda: rules_all(document), "rules")
    t_map, (resources, _) = timed(lambda: map_all(document, None), "map")
    t_valid, (_, invalid) = timed(lambda: map_all(document, validate), "valid")
    t_model, (_, model) = timed(lambda: map_all(document, check_bundle), "model")
    n = len(document["members"])
    floor = n / t_floor

    def row(label: str, seconds: float, phase: str) -> str:
        rate = n / seconds
        return (
            f"{label:<34} {rate:>9,.0f} members/s  {resources / seconds:>9,.0f} resources/s"
            f"  x{rate / floor:.4f} of floor  (cpu {seconds:.2f} s, wall {WALL[phase]:.2f} s)"
        )

    lines = [
        f"members: {n:,}  input: {len(raw) / 2**20:.1f} MiB  resources: {resources:,}"
        f" ({resources / n:.1f} per member)  profile errors: {invalid}  model issues: {model}",
        row("floor: parse only (orjson)", t_floor, "floor"),
        row("rules (derived facts)", t_rules, "rules"),
        row("map, no checks", t_map, "map"),
        row("map + profile validation", t_valid, "valid"),
        row("map + R4B model check", t_model, "model"),
        row("end to end, one core (parse+rules+map+valid)", t_floor + t_rules + t_valid, "valid"),
        f"in-process peak RSS: {peak_rss_mib(resource.RUSAGE_SELF):,.0f} MiB",
    ]
    return lines, invalid + model


def peak_rss_mib(who: int) -> float:
    # ru_maxrss is in KiB on Linux; for RUSAGE_CHILDREN it is the largest child's peak.
    return resource.getrusage(who).ru_maxrss / 1024


def cli_run(members: int, seed: int, jobs: int, folder: Path) -> str:
    """`ltsc-adapter map` on an NDJSON export of `members`, as its own process."""
    source = folder / f"export-{members}.ndjson"
    write_ndjson(generate_export(members, seed), source)
    out = folder / f"out-{members}"
    argv = [sys.executable, "-m", "adapter.cli", "map", str(source), "-o", str(out)]
    argv += ["--format", "ndjson", "--jobs", str(jobs), "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - started
    written = sum(1 for _ in (out / "bundles.ndjson").open("rb")) if done.returncode == 0 else 0
    (out / "bundles.ndjson").unlink(missing_ok=True)
    source.unlink()
    status = "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-300:]}"
    return (
        f"cli map --jobs {jobs}: {members:,} members in {wall:.1f} s wall ="
        f" {members / wall:,.0f} members/s; {written:,} Bundles written; largest process peak"
        f" RSS so far {peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB; {status}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli-members", type=int, default=0, help="also run the CLI on N")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()
    lines, problems = in_process(args.members, args.seed) if args.members else ([], 0)
    if args.cli_members:
        with tempfile.TemporaryDirectory() as folder:
            for size in (max(args.cli_members // 10, 1), args.cli_members):
                lines.append(cli_run(size, args.seed, args.jobs, Path(folder)))
    lines.append(f"load average at start: {load[0]:.2f}, at end: {os.getloadavg()[0]:.2f}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
