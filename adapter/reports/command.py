"""`ltsc-adapter report`: LTS-C offers and uptake for a period, as MeasureReport, CSV or HTML."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from adapter import clock
from adapter.errors import InvalidRequest
from adapter.progress import Progress
from adapter.reports.formats import render
from adapter.reports.from_exports import rows_from_exports
from adapter.reports.report import compute_report
from adapter.rules.dates import export_as_of

Reader = Callable[[Sequence[str]], Any]


def run_report(
    args: argparse.Namespace,
    read: Reader | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Write the report; 1 when some records were rejected, 2 (via InvalidRequest) on bad dates
    or an unusable export header. Members are evaluated as of `--as-of` or else each export's
    `generated_at`."""
    start, end = _period(args.period_start, args.period_end)
    as_of = clock.as_of_option(getattr(args, "as_of", None))
    err = err or sys.stderr
    result = (read or _read_exports)(args.inputs)
    for error in result.errors:
        err.write(_error_line(error) + "\n")
    if result.unusable_header:
        return 2
    for plan_export in result.exports:
        day = as_of or export_as_of(plan_export.export)
        if day < end:
            err.write(
                f"note: {plan_export.source} is evaluated as of {day.isoformat()}; "
                "figures after that day are not known yet\n"
            )
    total = sum(len(plan_export.members) for plan_export in result.exports)
    with Progress("report", total, unit="members", quiet=getattr(args, "quiet", False)) as bar:
        members, offers = rows_from_exports(result.exports, as_of, track=bar.track)
    report = compute_report(members, offers, start, end, plan_id=args.plan)
    text, _ = render(report, args.format)
    _write(text, args.output, out or sys.stdout)
    return 1 if result.errors else 0


def _read_exports(paths: Sequence[str]) -> Any:
    from adapter.records import read_exports

    return read_exports(paths)


def _period(start: str, end: str) -> tuple[date, date]:
    first, last = _date("--from", start), _date("--to", end)
    if last < first:
        raise InvalidRequest(f"--to {end} is before --from {start}; the period would be empty")
    return first, last


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"{option} must be a date like 2026-01-31, not {value!r}") from None


def _error_line(error: Any) -> str:
    """`file:location: field: message`, leaving out the parts a whole-file problem lacks."""
    where = f"{error.file}:{error.location}" if error.location else error.file
    subject = f"{error.field}: " if error.field else ""
    return f"{where}: {subject}{error.message}"


def _write(text: str, output: str | None, out: TextIO) -> None:
    if not output:
        out.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidRequest(f"cannot write the report to {output}: {exc.strerror}") from None
