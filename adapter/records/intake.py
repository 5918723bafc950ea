"""read_exports: pick a reader per path, check what it read, gather records and errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from adapter.records.assemble import RawExport, assemble
from adapter.records.ccda import looks_like_ccda, read_ccda
from adapter.records.csv_form import read_csv_folder
from adapter.records.json_form import read_json
from adapter.records.model import ReadResult, RecordError
from adapter.records.ndjson_form import read_ndjson

Reader = Callable[[Path], RawExport]

READERS: dict[str, Reader] = {
    "json": read_json,
    "ndjson": read_ndjson,
    "csv": read_csv_folder,
    "ccda": read_ccda,
}

_NDJSON_SUFFIXES = (".ndjson", ".jsonl")


def format_of(path: Path) -> str:
    """A folder is a CSV export, .ndjson/.jsonl is NDJSON, a C-CDA document is ccda, else JSON."""
    if path.is_dir():
        return "csv"
    if path.suffix.lower() in _NDJSON_SUFFIXES:
        return "ndjson"
    if looks_like_ccda(path):
        return "ccda"
    return "json"


def reader_for(name: str) -> Reader:
    """The reader registered under `name`; an unknown name is refused with the known ones."""
    try:
        return READERS[name]
    except KeyError:
        known = ", ".join(sorted(READERS))
        raise ValueError(f"unknown plan-export format {name!r}; known formats: {known}") from None


def read_exports(paths: Iterable[Path | str], *, fmt: str | None = None) -> ReadResult:
    """Read and check every export; valid members are kept, every problem is reported.

    `fmt` forces one format for all paths; by default each path's format comes from its form.
    """
    result = ReadResult()
    for path in map(Path, paths):
        try:
            reader = reader_for(fmt or format_of(path))
        except ValueError as exc:
            result.errors.append(RecordError(str(path), "", "", str(exc)))
            continue
        assembled = assemble(reader(path))
        result.errors.extend(assembled.errors)
        result.members_read += assembled.members_read
        result.members_rejected += assembled.members_rejected
        if assembled.export is not None:
            result.exports.append(assembled.export)
    return result
