"""`ltsc-adapter generate`: write a synthetic plan export in any of the three forms."""

from __future__ import annotations

import argparse
from pathlib import Path

from adapter.errors import InvalidRequest
from adapter.records.generator import generate_export
from adapter.records.writers import write_export

# Beyond this a single JSON document stops being a sensible test file; use NDJSON or CSV.
MAX_MEMBERS = 1_000_000


def run_generate(args: argparse.Namespace) -> int:
    """Generate `args.members` members with `args.seed` and write them to `args.output`."""
    if not 0 <= args.members <= MAX_MEMBERS:
        raise InvalidRequest(f"--members must be between 0 and {MAX_MEMBERS}, got {args.members}")
    output = Path(args.output)
    if args.format != "csv" and output.is_dir():
        raise InvalidRequest(f"{output} is a folder; give a file name or use --format csv")
    if args.format == "csv" and output.exists() and not output.is_dir():
        raise InvalidRequest(f"{output} is a file; --format csv writes a folder")
    if not output.parent.is_dir():
        raise InvalidRequest(f"folder {output.parent} does not exist; create it first")
    write_export(generate_export(args.members, args.seed), output, args.format)
    return 0
