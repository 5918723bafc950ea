"""The yes/no schema check of member records at intake: jsonschema-rs against alternatives.

Run: .venv/bin/python bench/bench_record_check.py [--members 5000] [--rounds 3]
     (fastjsonschema is compared when installed: `pip install fastjsonschema`)

Every checker is compiled from the same plan-export schema with the same two format checks
(date, date-time) and runs over the same generated member records, all valid (the common case
at intake). The baseline is jsonschema (Python), which explains the records the fast check
refuses, measured in the same run; the best of --rounds rounds is kept for each, in CPU
seconds of this process (one core).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from adapter.records.generator import generate_export  # noqa: E402
from adapter.records.schema import (  # noqa: E402
    fast_check,
    is_date,
    is_instant,
    schema_document,
    validator,
)

Check = Callable[[Any], bool]


def member_schema() -> dict[str, Any]:
    document = schema_document()
    return {"$defs": document["$defs"], "$ref": "#/$defs/member_record"}


def fastjsonschema_check() -> Check | None:
    try:
        import fastjsonschema
    except ImportError:
        return None
    formats = {"date": is_date, "date-time": is_instant}
    validate = fastjsonschema.compile(member_schema(), formats=formats)

    def check(record: Any) -> bool:
        try:
            validate(record)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return check


def best_rate(check: Check, records: list[Any], rounds: int) -> tuple[float, int]:
    best, valid = float("inf"), 0
    for _ in range(rounds):
        started = time.process_time()
        valid = sum(1 for record in records if check(record))
        best = min(best, time.process_time() - started)
    return len(records) / best, valid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # Records as a reader hands them over: parsed JSON, defaults not yet filled in.
    records = orjson.loads(orjson.dumps(generate_export(args.members, 1)["members"]))
    checkers: list[tuple[str, Check | None]] = [
        ("jsonschema (baseline)", validator("member_record").is_valid),
        ("jsonschema-rs (fast_check)", fast_check("member_record")),
        ("fastjsonschema", fastjsonschema_check()),
    ]
    load = os.getloadavg()[0]
    baseline = None
    for name, check in checkers:
        if check is None:
            sys.stdout.write(f"{name:<28} not installed\n")
            continue
        rate, valid = best_rate(check, records, args.rounds)
        baseline = baseline or rate
        sys.stdout.write(
            f"{name:<28} {rate:>10,.0f} records/s  x{rate / baseline:.2f}"
            f"  ({valid:,}/{len(records):,} valid)\n"
        )
    sys.stdout.write(f"load average {load:.2f} -> {os.getloadavg()[0]:.2f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
