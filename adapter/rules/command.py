"""`ltsc-adapter compliance`: LTS-C offer compliance per member, as text, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TextIO

from adapter import clock
from adapter.progress import Progress
from adapter.rules.compliance import compliance_summary
from adapter.rules.dates import export_as_of
from adapter.rules.engine import evaluate_member

Reader = Callable[[Sequence[str]], Any]
CSV_COLUMNS = (
    "plan_id", "member_id", "offer_key", "triggers", "first_trigger_date", "due", "offered_on",
    "on_time", "days_late", "open_overdue", "days_overdue", "missed", "verdict", "late_triggers",
    "status", "status_reason", "outcome",
)  # fmt: skip


def run_compliance(
    args: argparse.Namespace, read: Reader | None = None, out: TextIO | None = None
) -> int:
    """Evaluate every member of the exports as of `--as-of` or else each export's
    `generated_at`; 1 when some records could not be read, 2 when an export header is unusable."""
    given = clock.as_of_option(getattr(args, "as_of", None))
    result = (read or _read_exports)(args.inputs)
    days = [given or export_as_of(export.export) for export in result.exports]
    total = sum(len(export.members) for export in result.exports)
    with Progress("compliance", total, unit="members", quiet=getattr(args, "quiet", False)) as bar:
        rows = [
            row
            for export, day in zip(result.exports, days, strict=True)
            for row in _export_rows(export.export, export.directory, bar.track(export.members), day)
        ]
    for error in result.errors:
        sys.stderr.write(f"{error}\n")
    if result.unusable_header:
        return 2
    as_of = given or max(days, default=clock.today())
    write = {"text": write_text, "json": write_json, "csv": write_csv}[args.format]
    try:
        write(rows, as_of, out or sys.stdout)
    except BrokenPipeError:
        _reader_went_away()
    return 1 if result.errors else 0


def _reader_went_away() -> None:
    """A pipe reader such as `head` stopped early; silence the flush Python tries at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _read_exports(paths: Sequence[str]) -> Any:
    from adapter.records import read_exports

    return read_exports(paths)


def _export_rows(export: dict, directory: dict, members: Iterable[dict], as_of: date) -> list[dict]:
    plan_id = ((export or {}).get("plan") or {}).get("plan_id")
    return [
        {"plan_id": plan_id, **row}
        for record in members
        for row in evaluate_member(record, directory, as_of)["compliance"]["rows"]
    ]


def write_json(rows: list[dict], as_of: date, out: TextIO) -> None:
    document = {"as_of": as_of.isoformat(), "summary": compliance_summary(rows), "rows": rows}
    out.write(json.dumps(document, indent=2) + "\n")


def write_csv(rows: list[dict], as_of: date, out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        lists = {k: " ".join(row[k]) for k in ("triggers", "late_triggers")}
        writer.writerow({**row, **lists})


def write_text(rows: list[dict], as_of: date, out: TextIO) -> None:
    summary = compliance_summary(rows)
    buffer = io.StringIO()
    buffer.write(f"LTS-C offer compliance as of {as_of.isoformat()}\n")
    for row in rows:
        buffer.write(_text_line(row) + "\n")
    buffer.write(
        f"{summary['members']} members, {summary['offers_due']} offers due, "
        f"{summary['offers_on_time']} on time, {summary['offers_late']} late, "
        f"{summary['overdue_open']} open and overdue, {summary['missed']} missed\n"
    )
    out.write(buffer.getvalue())


def _text_line(row: dict) -> str:
    if row["offered_on"]:
        state = "on time" if row["on_time"] else f"{row['days_late']} days late"
        made = f"offered {row['offered_on']} ({state})"
    elif row["open_overdue"]:
        made = f"NOT OFFERED, {row['days_overdue']} days overdue"
    elif row["missed"]:
        made = f"MISSED ({row['status_reason'] or row['status']}), {row['days_late']} days late"
    else:
        made = row["status"]
    triggers = "+".join(row["triggers"])
    return f"{row['member_id']:<12} {triggers:<28} due {row['due']}  {made}"
