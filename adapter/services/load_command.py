"""`ltsc-adapter load`: mapped Bundles (JSON, or NDJSON with one Bundle per line) stored through
the member service, so the checks of every other write apply (see services.bundle_load)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from adapter.config import settings_from_env
from adapter.errors import AdapterError
from adapter.store.command import read_bundles


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
    failed = 0
    try:
        service = MemberService(store, settings)
        for path in map(Path, args.bundles):
            failed += _load_file(service, path)
        store.refresh_statistics()
    finally:
        store.close()
    return 1 if failed else 0


def _load_file(service: Any, path: Path) -> int:
    statuses: Counter[str] = Counter()
    bundles = failures = 0
    try:
        for where, bundle in read_bundles(path):
            try:
                statuses.update(_load(service, path, where, bundle))
                bundles += 1
            except AdapterError as error:
                failures += 1
                _say(sys.stderr, f"{path}{where}: {error.message}{_first_issue(error)}")
    except (OSError, ValueError) as error:
        _say(sys.stderr, f"{path}: cannot read: {error}")
        return 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "no entries"
    _say(sys.stdout, f"{path}: {bundles} bundle(s) loaded ({summary}); {failures} failed")
    return 1 if failures else 0


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
