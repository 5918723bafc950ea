"""`ltsc-adapter load`: store mapped Bundles (JSON, or NDJSON with one Bundle per line)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from adapter.config import settings_from_env
from adapter.errors import AdapterError
from adapter.store.store import Store, open_store

LOADERS = {"transaction": Store.transaction, "batch": Store.batch}


def run_load(args: argparse.Namespace) -> int:
    """Load every file; a bad file is reported and the others still load. Exit 1 on any failure."""
    settings = settings_from_env()
    store = open_store(
        settings.database_url,
        page_size_default=settings.page_size_default,
        page_size_max=settings.page_size_max,
    )
    failed = 0
    try:
        for path in map(Path, args.bundles):
            failed += _load_file(store, path)
        store.refresh_statistics()
    finally:
        store.close()
    return 1 if failed else 0


def _load_file(store: Store, path: Path) -> int:
    statuses: Counter[str] = Counter()
    bundles = failures = 0
    try:
        for where, bundle in _bundles(path):
            try:
                statuses.update(_load_bundle(store, bundle))
                bundles += 1
            except AdapterError as error:
                failures += 1
                _say(sys.stderr, f"{path}{where}: {error.message}")
    except (OSError, ValueError) as error:
        _say(sys.stderr, f"{path}: cannot read: {error}")
        return 1
    failed_entries = sum(n for status, n in statuses.items() if status.startswith("failed"))
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "no entries"
    _say(sys.stdout, f"{path}: {bundles} bundle(s) loaded ({summary}); {failures} failed")
    return 1 if failures or failed_entries else 0


def _bundles(path: Path) -> Iterator[tuple[str, Any]]:
    """(location, parsed Bundle) pairs; location is '' for JSON, ' line N' for NDJSON."""
    data = path.read_bytes()
    if path.suffix.lower() != ".ndjson":
        yield "", orjson.loads(data)
        return
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield f" line {number}", orjson.loads(line)


def _load_bundle(store: Store, bundle: Any) -> list[str]:
    kind = bundle.get("type") if isinstance(bundle, dict) else None
    if kind not in LOADERS:
        raise AdapterError("not a transaction or batch Bundle")
    response = LOADERS[kind](store, bundle)
    return [_status_word(entry) for entry in response.get("entry", [])]


def _status_word(entry: dict[str, Any]) -> str:
    """Summary word of one response entry; batch entries can fail alone."""
    status = entry.get("response", {}).get("status", "")
    return {"201": "created", "200": "ok", "204": "deleted"}.get(status[:3], f"failed {status}")


def _say(stream: Any, line: str) -> None:
    stream.write(line + "\n")
