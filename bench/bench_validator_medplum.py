"""Our validator against Medplum's `validateResource` on one mapped member's resources, one run.

Run: .venv/bin/python bench/bench_validator_medplum.py [--seconds 5] [--rounds 3] [--profile 25]
Needs node and the benchmark-only npm dev dependencies (`npm ci` in the repository root).

The sample is a realistic member: the first generated member (`adapter.records.generator`, seed
1) whose Bundle from our own mapping holds 10 to 24 resources, each with its meta.profile (our
profiles, most built on US Core). Measured on the same resources in the same run, each round one
after the other, as resources per CPU second of the measuring process (one core):

  ours            `Validator.validate`, every check on (structure, cardinality, bindings,
                  slicing, invariants, profiles with US Core);
  medplum-base    `validateResource(resource)`: the base R4 type only (structure, cardinality,
                  invariants; no profile, no bindings) - the cheapest Medplum call, the target;
  medplum-profile `validateResource(resource, {profile})` with the resource's meta.profile,
                  as Medplum's server validates profiled resources (the profile is parsed on
                  every call, which is how that API works);
  model_validate  fhir.resources R4B `model_validate` alone (the former baseline).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fhir.resources.R4B import get_fhir_model_class  # noqa: E402

from adapter.mapping.pipeline import map_export_checked  # noqa: E402
from adapter.records.generator import generate_export  # noqa: E402
from adapter.validation import default_validator  # noqa: E402

MEDPLUM_SCRIPT = ROOT / "bench" / "medplum_validate.mjs"
PROFILE_FOLDERS = (ROOT / "profiles", *sorted((ROOT / "profiles" / "dependencies").glob("*")))
MEMBER_SIZE = range(10, 25)  # resources in a realistic member's Bundle (issue 22)


def member_resources(seed: int) -> tuple[str, list[dict[str, Any]]]:
    """The first generated member whose mapped Bundle has 10 to 24 entries."""
    for member_id, bundle, _ in map_export_checked(generate_export(40, seed), check=False):
        if len(bundle["entry"]) in MEMBER_SIZE:
            return member_id, [entry["resource"] for entry in bundle["entry"]]
    raise SystemExit(f"no member of 10-24 resources among 40 generated with seed {seed}")


def structure_definitions() -> list[dict[str, Any]]:
    found = []
    for folder in PROFILE_FOLDERS:
        for path in sorted(folder.glob("StructureDefinition-*.json")):
            found.append(json.loads(path.read_text("utf-8")))
    return found


def throughput(check: Callable[[dict[str, Any]], object], items: list, seconds: float) -> float:
    """Resources per CPU second of this process (one core, unaffected by other load)."""
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for resource in items:
            check(resource)
        done += len(items)
    return done / (time.process_time() - start)


def medplum(input_path: Path, seconds: float, mode: str) -> dict[str, Any]:
    if shutil.which("node") is None:
        raise SystemExit("node is not on PATH; install Node.js 20+ to run the Medplum baseline")
    if not (ROOT / "node_modules" / "@medplum" / "core").is_dir():
        raise SystemExit("@medplum/core is missing; run `npm ci` in the repository root")
    command = ["node", str(MEDPLUM_SCRIPT), str(input_path), str(seconds), mode]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the Medplum benchmark failed: {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout)


def where_time_goes(validate: Callable, items: list, passes: int, top: int) -> str:
    """Our validator under cProfile: the `top` functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(passes):
        for resource in items:
            validate(resource)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def model_only(resource: dict[str, Any]) -> object:
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    args = parser.parse_args()
    member_id, items = member_resources(args.seed)
    validator = default_validator()
    ours_errors = [(r["resourceType"], i) for r in items for i in validator.validate(r)]
    load_before = load_average()
    with tempfile.TemporaryDirectory() as folder:
        input_path = Path(folder) / "medplum-input.json"
        payload = {"resources": items, "definitions": structure_definitions()}
        input_path.write_text(json.dumps(payload), "utf-8")
        rounds = []
        for _ in range(args.rounds):
            ours = throughput(validator.validate, items, args.seconds)
            base = medplum(input_path, args.seconds, "base")
            rounds.append((ours, base["rate"]))
        profiled = medplum(input_path, args.seconds, "profiles")
    model = throughput(model_only, items, args.seconds)
    ours_rate = statistics.median(r[0] for r in rounds)
    base_rate = statistics.median(r[1] for r in rounds)
    kinds = sorted({r["resourceType"] for r in items})
    lines = [
        f"member {member_id}: {len(items)} resources ({', '.join(kinds)})",
        f"load average before: {load_before}, after: {load_average()}",
        f"issues on one pass: ours {len(ours_errors)} "
        f"({sum(1 for _, i in ours_errors if i.is_error)} errors), "
        f"medplum-base {len(base['issues'])}, medplum-profile {len(profiled['issues'])}",
        *[f"medplum could not load {p['url']}: {p['reason']}" for p in profiled["refused"]],
        *[
            f"round {n + 1}: ours {o:,.0f}/s, medplum-base {b:,.0f}/s, ratio {o / b:.2f}"
            for n, (o, b) in enumerate(rounds)
        ],
        f"ours, every check on:                 {ours_rate:,.0f} resources/s (median)",
        f"medplum validateResource, base type:  {base_rate:,.0f} resources/s (median)",
        f"medplum validateResource, profile:    {profiled['rate']:,.0f} resources/s",
        f"fhir.resources R4B model_validate:    {model:,.0f} resources/s",
        f"ratio ours / medplum-base:    {ours_rate / base_rate:.2f} (target >= 3)",
        f"ratio ours / medplum-profile: {ours_rate / profiled['rate']:.2f}",
        f"ratio ours / model_validate:  {ours_rate / model:.2f}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if args.profile:
        sys.stdout.write(where_time_goes(validator.validate, items, 100, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
