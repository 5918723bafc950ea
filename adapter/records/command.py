"""`ltsc-adapter generate`: write a synthetic plan export in any of the three forms."""

from __future__ import annotations

import argparse
from pathlib import Path

from adapter.errors import InvalidRequest
from adapter.progress import Progress, report_summary
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
    quiet = getattr(args, "quiet", False)
    with Progress("generate", args.members, unit="members", quiet=quiet) as progress:
        export = generate_export(args.members, args.seed, track=progress.track)
    # Writing is one step of the writer; its share of the time shows in the summary.
    with Progress("write", 1, unit="files", quiet=quiet) as writing:
        write_export(export, output, args.format)
        writing.advance()
    counts = {
        "members": args.members,
        "seed": args.seed,
        "format": args.format,
        "output": str(output),
        "bytes_written": _size(output),
        "seconds": round(progress.elapsed() + writing.elapsed(), 1),
    }
    report_summary(
        "Generated", counts, summary_format=getattr(args, "summary_format", "text"), quiet=quiet
    )
    return 0


def _size(output: Path) -> int:
    if output.is_dir():
        return sum(f.stat().st_size for f in output.iterdir() if f.is_file())
    return output.stat().st_size if output.exists() else 0
