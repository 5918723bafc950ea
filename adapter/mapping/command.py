"""`ltsc-adapter map INPUT... -o OUTDIR`: plan exports to one FHIR Bundle per member."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapter import clock
from adapter.config import Settings, settings_from_env
from adapter.mapping.output import BundleWriter
from adapter.mapping.pipeline import Derive, map_export_checked
from adapter.outcome import Issue

# Enough issues per Bundle to act on without flooding the terminal.
MAX_ISSUES_SHOWN = 10

BundleCheck = Callable[[dict[str, Any]], list[Issue]]


@dataclass
class MapSummary:
    """What one `map` run did, for the closing summary and the exit code."""

    members: int = 0
    resources: int = 0
    written: int = 0
    rejected_records: int = 0
    reader_errors: int = 0
    invalid_bundles: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reader_errors and not self.invalid_bundles

    def lines(self) -> list[str]:
        return [
            f"members mapped: {self.members}",
            f"resources: {self.resources}",
            f"bundles written: {self.written}",
            f"member records rejected: {self.rejected_records} ({self.reader_errors} errors)",
            f"bundles invalid (not written): {len(self.invalid_bundles)}",
        ]


def run_map(args: argparse.Namespace) -> int:
    """Read, map, check and write; 0 only when nothing was rejected and every Bundle is valid."""
    from adapter.records import read_exports

    settings = settings_from_env()
    as_of = clock.as_of_option(getattr(args, "as_of", None))
    result = read_exports(args.inputs)
    for error in result.errors:
        _err(record_error_line(error))
    if result.unusable_header:
        return 2
    summary = MapSummary(rejected_records=result.members_rejected, reader_errors=len(result.errors))
    check = None if args.no_validate else profile_check()
    with BundleWriter(Path(args.output), args.format) as writer:
        for plan_export in result.exports:
            map_into(plan_export, settings, writer, summary, check, as_of=as_of)
    for line in summary.lines():
        _say(line)
    return 0 if summary.ok else 1


def map_into(
    plan_export: Any,
    settings: Settings,
    writer: BundleWriter,
    summary: MapSummary,
    check: BundleCheck | None,
    *,
    derive: Derive | None = None,
    as_of: dt.date | None = None,
) -> None:
    """Map one export, writing each Bundle that passes the model (and profile) check."""
    mapped = map_export_checked(plan_export, settings, derive=derive, as_of=as_of)
    for member_id, bundle, issues in mapped:
        summary.members += 1
        summary.resources += len(bundle["entry"])
        errors = [i for i in issues if i.is_error]
        if not errors and check is not None:
            errors = [i for i in check(bundle) if i.is_error]
        if errors:
            summary.invalid_bundles.append(member_id)
            report_issues(member_id, errors)
            continue
        writer.write(member_id, bundle)
        summary.written += 1


def profile_check() -> BundleCheck:
    from adapter.validation import default_validator

    return default_validator().validate


def record_error_line(error: Any) -> str:
    """`file:location: field: message`, leaving out the parts a whole-file error lacks."""
    where = f"{error.file}:{error.location}" if error.location else str(error.file)
    subject = f"{error.field}: " if error.field else ""
    return f"{where}: {subject}{error.message}"


def report_issues(member_id: str, issues: Sequence[Issue]) -> None:
    for issue in issues[:MAX_ISSUES_SHOWN]:
        where = ", ".join(issue.expression) or "Bundle"
        _err(f"{member_id}: {issue.severity}: {where}: {issue.message}")
    if len(issues) > MAX_ISSUES_SHOWN:
        _err(f"{member_id}: ... and {len(issues) - MAX_ISSUES_SHOWN} more issues")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
