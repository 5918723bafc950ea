"""Bundle files for `ltsc-adapter load` (services.load_command): JSON, or NDJSON with one Bundle
per line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from adapter.store.store import Store

LOADERS = {"transaction": Store.transaction, "batch": Store.batch}


def read_bundles(path: Path) -> Iterator[tuple[str, Any]]:
    """(location, parsed Bundle) pairs; location is '' for JSON, ' line N' for NDJSON."""
    data = path.read_bytes()
    if path.suffix.lower() != ".ndjson":
        yield "", orjson.loads(data)
        return
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield f" line {number}", orjson.loads(line)
