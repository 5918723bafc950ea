"""`ltsc-adapter ingest INPUT...`: plan exports stored as member records and FHIR resources."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from adapter import clock
from adapter.config import settings_from_env
from adapter.outcome import Issue
from adapter.services.model import IngestReport

# Enough issues per member to act on without flooding the terminal.
MAX_ISSUES_SHOWN = 10


def run_ingest(args: argparse.Namespace) -> int:
    """Read, ingest and summarise; 0 only when every record read cleanly and was stored."""
    from adapter.mapping.command import record_error_line
    from adapter.records import read_exports
    from adapter.services.member_service import MemberService
    from adapter.store import open_store

    settings = settings_from_env()
    as_of = clock.as_of_option(getattr(args, "as_of", None))
    result = read_exports(args.inputs)
    for error in result.errors:
        _err(record_error_line(error))
    if result.unusable_header:
        return 2
    store = open_store(settings.database_url)
    try:
        service = MemberService(store, settings)
        total = IngestReport()
        for plan_export in result.exports:
            report = service.ingest(plan_export, as_of=as_of)
            _report_issues(report.issues)
            total.members_stored += report.members_stored
            total.members_rejected += report.members_rejected
        store.refresh_statistics()
    finally:
        store.close()
    _say(f"members stored: {total.members_stored}")
    _say(f"members rejected: {total.members_rejected + result.members_rejected}")
    return 0 if result.ok and total.members_rejected == 0 else 1


def _report_issues(issues: Sequence[tuple[str, Issue]]) -> None:
    shown: dict[str, int] = {}
    for member_id, issue in issues:
        shown[member_id] = shown.get(member_id, 0) + 1
        if shown[member_id] <= MAX_ISSUES_SHOWN:
            where = ", ".join(issue.expression) or "Bundle"
            _err(f"{member_id}: {issue.severity}: {where}: {issue.message}")
    for member_id, count in shown.items():
        if count > MAX_ISSUES_SHOWN:
            _err(f"{member_id}: ... and {count - MAX_ISSUES_SHOWN} more issues")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def run_reevaluate(args: argparse.Namespace) -> int:
    """Re-run the rules for every stored member as of a day; 0 when every member stayed valid.
    A progress bar counts members on standard error (`-q` silences it); the report is printed as
    lines, or as one JSON object with `--output json`."""
    from adapter.progress import Progress, report_summary
    from adapter.services.member_service import MemberService
    from adapter.store import open_store

    settings = settings_from_env()
    as_of = clock.as_of_option(getattr(args, "as_of", None))
    quiet = getattr(args, "quiet", False)
    store = open_store(settings.database_url)
    try:
        with Progress("reevaluate", unit="members", quiet=quiet) as progress:
            report = MemberService(store, settings).reevaluate(as_of, track=progress.track)
    finally:
        store.close()
    _report_issues(report.issues)
    counts = {
        "as_of": report.as_of,
        "members_checked": report.members_checked,
        "members_changed": report.members_changed,
        "resources_written": report.resources_written,
        "members_failed": report.members_failed,
    }
    if getattr(args, "summary_format", "text") == "json":
        report_summary("Re-evaluated", counts, summary_format="json")
    else:
        _say(f"re-evaluated as of {report.as_of}")
        for key, value in list(counts.items())[1:]:
            _say(f"{key.replace('_', ' ')}: {value}")
    return 0 if report.members_failed == 0 else 1
