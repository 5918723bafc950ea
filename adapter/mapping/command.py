"""`ltsc-adapter map INPUT... -o OUTDIR`: plan exports to one FHIR Bundle per member."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from adapter import clock
from adapter.config import Settings, settings_from_env
from adapter.mapping.batch import MapOptions, MemberMapper, MemberPool, job_bytes, pool_jobs
from adapter.mapping.output import BundleWriter
from adapter.outcome import Issue
from adapter.progress import Progress, print_summary
from adapter.records.stream import ExportStream, open_export

# Enough issues per Bundle to act on without flooding the terminal.
MAX_ISSUES_SHOWN = 10


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

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("members mapped", self.members),
            ("resources", self.resources),
            ("bundles written", self.written),
            ("member records rejected", self.rejected_records),
            ("record errors", self.reader_errors),
            ("bundles invalid (not written)", len(self.invalid_bundles)),
        ]

    def as_json(self) -> dict[str, Any]:
        counts: dict[str, Any] = {
            name.split(" (")[0].replace(" ", "_"): n for name, n in self.rows()
        }
        return {**counts, "invalid_members": list(self.invalid_bundles), "ok": self.ok}


def run_map(args: argparse.Namespace) -> int:
    """Read, map, check and write; 0 only when nothing was rejected and every Bundle is valid."""

    settings = settings_from_env()
    as_of = clock.as_of_option(getattr(args, "as_of", None))
    quiet = getattr(args, "quiet", False)
    streams = [open_export(Path(path)) for path in args.inputs]
    summary = MapSummary()
    for stream in streams:
        summary.reader_errors += len(stream.errors)
        for error in stream.errors:
            _err(record_error_line(error))
    if any(stream.unusable_header for stream in streams):
        return 2
    options = MapOptions(
        output_format=args.format,
        validate=not args.no_validate,
        model_check=getattr(args, "model_check", False),
    )
    total = sum(stream.total for stream in streams)
    with (
        MemberPool(
            partial(MemberMapper, options), pool_jobs(getattr(args, "jobs", None), total)
        ) as pool,
        BundleWriter(Path(args.output), args.format) as writer,
        Progress("map", total, unit="members", quiet=quiet) as progress,
    ):
        for stream in streams:
            map_stream(stream, settings, as_of, pool, writer, summary, progress)
    print_summary("map", summary.rows(), quiet=quiet)
    if getattr(args, "summary_format", None) == "json":
        _say(json.dumps(summary.as_json()))
    return 0 if summary.ok else 1


def map_stream(
    stream: ExportStream,
    settings: Settings,
    as_of: dt.date | None,
    pool: MemberPool,
    writer: BundleWriter,
    summary: MapSummary,
    progress: Progress,
) -> None:
    """Map one export's members as they are read, writing each Bundle that passes the checks."""
    if stream.export is None:
        summary.rejected_records += stream.members_rejected
        return
    job = job_bytes(stream.export.export, stream.export.directory, as_of, settings)
    for output in pool.map(job, _accepted(stream, summary, progress)):
        summary.members += 1
        summary.resources += output.resources
        progress.advance()
        if output.data is None:
            summary.invalid_bundles.append(output.member_id)
            report_issues(output.member_id, output.errors)
            continue
        writer.write_rendered(output.member_id, output.data)
        summary.written += 1
    summary.rejected_records += stream.members_rejected


def _accepted(
    stream: ExportStream, summary: MapSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """The stream's valid member records; each rejected one is reported and counted as done."""
    for record, errors in stream.members():
        for error in errors:
            _err(record_error_line(error))
        summary.reader_errors += len(errors)
        if record is None:
            progress.advance()
            continue
        yield record


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
