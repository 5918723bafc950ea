"""`ltsc-adapter ingest INPUT...`: plan exports stored as member records and FHIR resources."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from adapter import clock
from adapter.config import settings_from_env
from adapter.mapping.batch import MemberPool, pool_jobs
from adapter.mapping.command import record_error_line
from adapter.outcome import Issue
from adapter.progress import Progress, print_summary
from adapter.records.stream import ExportStream, open_export
from adapter.services.member_service import MemberService
from adapter.services.remap import MemberRemapper, remap_job

# Enough issues per member to act on without flooding the terminal.
MAX_ISSUES_SHOWN = 10


def run_ingest(args: argparse.Namespace) -> int:
    """Read, ingest and summarise; 0 only when every record read cleanly and was stored."""
    from adapter.store import open_store

    settings = settings_from_env()
    as_of = clock.as_of_option(getattr(args, "as_of", None))
    quiet = getattr(args, "quiet", False)
    streams = [open_export(Path(path)) for path in args.inputs]
    for error in (e for stream in streams for e in stream.errors):
        _err(record_error_line(error))
    if any(stream.unusable_header for stream in streams):
        return 2
    summary = IngestSummary(record_errors=sum(len(s.errors) for s in streams))
    total = sum(stream.total for stream in streams)
    jobs = pool_jobs(getattr(args, "jobs", None), total)
    # The workers start before the store opens: they never hold its connections.
    with MemberPool(partial(MemberRemapper, settings), jobs) as pool:
        store = open_store(settings.database_url)
        try:
            service = MemberService(store, settings)
            with Progress("ingest", total, unit="members", quiet=quiet) as progress:
                for stream in streams:
                    ingest_stream(stream, service, as_of, pool, summary, progress)
            store.refresh_statistics()
        finally:
            store.close()
    print_summary("ingest", summary.rows(), quiet=quiet)
    if getattr(args, "summary_format", None) == "json":
        _say(json.dumps(summary.as_json()))
    return 0 if summary.ok else 1


@dataclass
class IngestSummary:
    """What one `ingest` run did, for the closing summary and the exit code."""

    members_stored: int = 0
    members_rejected: int = 0
    record_errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.record_errors and not self.members_rejected

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("members stored", self.members_stored),
            ("members rejected", self.members_rejected),
            ("record errors", self.record_errors),
        ]

    def as_json(self) -> dict[str, Any]:
        return {**{name.replace(" ", "_"): n for name, n in self.rows()}, "ok": self.ok}


def ingest_stream(
    stream: ExportStream,
    service: MemberService,
    as_of: dt.date | None,
    pool: MemberPool,
    summary: IngestSummary,
    progress: Progress,
) -> None:
    """One export's members remapped by the pool as they are read, stored here in order."""
    if stream.export is None:
        summary.members_rejected += stream.members_rejected
        return
    header, directory = stream.export.export, stream.export.directory
    job = remap_job(header, directory, as_of or service.ingest_day(header))
    read: deque[dict[str, Any]] = deque()

    def accepted() -> Iterator[dict[str, Any]]:
        for record, errors in stream.members():
            for error in errors:
                _err(record_error_line(error))
            summary.record_errors += len(errors)
            if record is None:
                progress.advance()
                continue
            read.append(record)
            yield record

    members = ((read.popleft(), remapped) for remapped in pool.map(job, accepted()))
    report = service.ingest_remapped(header, directory, members, on_member=progress.advance)
    _report_issues(report.issues)
    summary.members_stored += report.members_stored
    summary.members_rejected += report.members_rejected + stream.members_rejected


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
