"""`ltsc-adapter load`: mapped Bundles stored through the member service, so the checks of every
other write apply (see services.bundle_load).

Bundles come as `map` writes them: JSON files, NDJSON with one Bundle per line, or FHIR XML
(validation.files reads all three). A progress bar counts Bundles on standard error and a summary
table ends the run (`-q` silences both; `--output json` prints the summary as JSON on stdout).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from adapter.config import settings_from_env
from adapter.errors import AdapterError
from adapter.progress import Progress, report_summary
from adapter.validation.files import count_items, read_items


def run_load(args: argparse.Namespace) -> int:
    """Load every file; a bad file or Bundle is reported and the others still load. Exit 1 on
    any failure; Tasks kept as stored are reported as warnings and do not fail the load."""
    from adapter.services.member_service import MemberService
    from adapter.store import open_store

    settings = settings_from_env()
    store = open_store(
        settings.database_url,
        page_size_default=settings.page_size_default,
        page_size_max=settings.page_size_max,
    )
    quiet = getattr(args, "quiet", False)
    summary_format = getattr(args, "summary_format", "text")
    paths = [Path(name) for name in args.bundles]
    totals = LoadTotals()
    try:
        service = MemberService(store, settings)
        total = sum(count_items(path) for path in paths)
        with Progress("load", total, unit="bundles", quiet=quiet) as progress:
            for path in paths:
                _load_file(service, path, progress, totals, say_files=summary_format == "text")
        store.refresh_statistics()
    finally:
        store.close()
    report_summary("Loaded", totals.counts(), summary_format=summary_format, quiet=quiet)
    return 1 if totals.failed_files else 0


class LoadTotals:
    """What the whole run did, for the end summary."""

    def __init__(self) -> None:
        self.files = self.failed_files = self.bundles = self.failed_bundles = 0
        self.entries: Counter[str] = Counter()

    def counts(self) -> dict[str, int]:
        entries = {f"entries_{status.replace(' ', '_')}": n for status, n in self.entries.items()}
        return {
            "files": self.files,
            "files_with_failures": self.failed_files,
            "bundles_loaded": self.bundles,
            "bundles_failed": self.failed_bundles,
            **dict(sorted(entries.items())),
        }


def _load_file(
    service: Any, path: Path, progress: Progress, totals: LoadTotals, *, say_files: bool
) -> None:
    statuses: Counter[str] = Counter()
    bundles = failures = 0
    for item in progress.track(read_items(path, decimals=False)):
        where = f" {item.location}" if item.location else ""
        if item.error is not None:
            failures += 1
            _say(sys.stderr, f"{path}{where}: cannot read: {item.error.message}")
            continue
        try:
            statuses.update(_load(service, path, where, item.resource))
            bundles += 1
        except AdapterError as error:
            failures += 1
            _say(sys.stderr, f"{path}{where}: {error.message}{_first_issue(error)}")
    totals.files += 1
    totals.failed_files += 1 if failures else 0
    totals.bundles += bundles
    totals.failed_bundles += failures
    totals.entries.update(statuses)
    if say_files:
        summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "no entries"
        _say(sys.stdout, f"{path}: {bundles} bundle(s) loaded ({summary}); {failures} failed")


def _load(service: Any, path: Path, where: str, bundle: Any) -> list[str]:
    from adapter.services.bundle_load import load_bundle

    kind = bundle.get("type") if isinstance(bundle, dict) else None
    if kind == "batch":  # each entry on its own, as a batch means
        words = []
        for index, entry in enumerate(bundle.get("entry") or []):
            single = {"resourceType": "Bundle", "type": "transaction", "entry": [entry]}
            try:
                words += _load(service, path, f"{where} entry {index}", single)
            except AdapterError as error:
                _say(sys.stderr, f"{path}{where} entry {index}: {error.message}")
                words.append("failed")
        return words
    if kind != "transaction":
        raise AdapterError("not a transaction or batch Bundle")
    result = load_bundle(service, bundle)
    for issue in result.kept:
        _say(sys.stderr, f"{path}{where}: {issue.expression[0]}: {issue.message}")
    words = [_status_word(e) for e in result.response.get("entry", [])]
    return words + ["kept as stored"] * len(result.kept)


def _status_word(entry: dict[str, Any]) -> str:
    status = entry.get("response", {}).get("status", "")
    return {"201": "created", "200": "ok", "204": "deleted"}.get(status[:3], f"failed {status}")


def _first_issue(error: AdapterError) -> str:
    issues = getattr(error, "issues", None) or []
    if not issues:
        return ""
    first = issues[0]
    where = f"{first.expression[0]}: " if first.expression else ""
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return f" - {where}{first.message}{more}"


def _say(stream: Any, line: str) -> None:
    stream.write(line + "\n")
