"""FHIR files on disk: JSON, NDJSON (one resource per line) or XML, read alike.

These are the forms `ltsc-adapter map --format json|ndjson|xml` writes; `validate` and `load`
read them through here. The form comes from the extension (`.json`, `.ndjson`, `.xml`), else from
the content. Each resource comes back with where it was (`line N` in NDJSON) or, in its place,
the reason it could not be read, so one bad line never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from adapter.errors import InvalidRequest
from adapter.validation.definitions import Definitions, load_base_r4
from adapter.validation.fhir_xml import dump_json, load_json, parse_xml

FORMATS_BY_SUFFIX = {".json": "json", ".ndjson": "ndjson", ".xml": "xml"}
_BLANK = b"\xef\xbb\xbf \t\r\n"


@dataclass(frozen=True)
class FileItem:
    """One resource of a file, or why it could not be read (then `resource` is None)."""

    location: str  # "" for a whole file, "line N" in NDJSON
    resource: Any = None
    error: InvalidRequest | None = None

    def where(self, path: Path | str) -> str:
        return f"{path} {self.location}" if self.location else str(path)


def file_format(path: Path, data: bytes) -> str:
    """json, ndjson or xml: by extension, else `<` means XML and a first line that is a whole
    JSON object followed by more lines means NDJSON."""
    known = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if known is not None:
        return known
    text = data.lstrip(_BLANK)
    if text.startswith(b"<"):
        return "xml"
    first, _, rest = text.partition(b"\n")
    if rest.strip() and first.strip().startswith(b"{"):
        try:
            orjson.loads(first)
        except orjson.JSONDecodeError:
            return "json"
        return "ndjson"
    return "json"


def count_items(path: Path) -> int:
    """How many resources `read_items` will give for this file (cheap: no parsing)."""
    try:
        data = path.read_bytes()
    except OSError:
        return 1
    if file_format(path, data) != "ndjson":
        return 1
    return sum(1 for line in data.splitlines() if line.strip()) or 1


def read_items(
    path: Path, definitions: Definitions | None = None, *, decimals: bool = True
) -> Iterator[FileItem]:
    """Each resource of the file. `decimals` keeps numbers as `Decimal` (as the validator wants);
    without it numbers are plain ints and floats (as the store writes them)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield FileItem("", error=InvalidRequest(f"Cannot read the file: {exc.strerror}"))
        return
    form = file_format(path, data)
    if form == "xml":
        yield _xml_item(data, definitions, decimals)
        return
    load = load_json if decimals else orjson.loads
    if form == "json":
        yield _json_item("", data, load)
        return
    lines = [(n, line) for n, line in enumerate(data.splitlines(), start=1) if line.strip()]
    if not lines:
        yield FileItem("", error=InvalidRequest("The NDJSON file holds no resources"))
    for number, line in lines:
        yield _json_item(f"line {number}", line, load)


def _json_item(location: str, data: bytes, load: Callable[[bytes], Any]) -> FileItem:
    if not data.strip(_BLANK):
        return FileItem(location, error=InvalidRequest("The file is empty"))
    try:
        return FileItem(location, load(data))
    except (ValueError, RecursionError) as exc:  # orjson's and json's decode errors included
        return FileItem(location, error=InvalidRequest(f"Not valid JSON: {exc}"))


def _xml_item(data: bytes, definitions: Definitions | None, decimals: bool) -> FileItem:
    try:
        resource = parse_xml(data, definitions or load_base_r4())
    except InvalidRequest as exc:
        return FileItem("", error=exc)
    # The store writes plain JSON numbers: XML decimals go through their JSON text.
    return FileItem("", resource if decimals else orjson.loads(dump_json(resource)))
