"""Write member Bundles as JSON files, NDJSON lines or FHIR XML files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from adapter.mapping.ids import resource_id
from adapter.validation.definitions import load_base_r4
from adapter.validation.fhir_xml import to_xml

NDJSON_FILE = "bundles.ndjson"


def bundle_json(bundle: dict[str, Any]) -> bytes:
    """Indented JSON with a final newline; the same Bundle always gives the same bytes."""
    return orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n"


def bundle_xml(bundle: dict[str, Any]) -> bytes:
    """FHIR XML (R4 element order, indented) by the one definition-driven XML writer."""
    return to_xml(bundle, load_base_r4(), pretty=True)


def bundle_ndjson_line(bundle: dict[str, Any]) -> bytes:
    return orjson.dumps(bundle) + b"\n"


def renderer(output_format: str) -> Callable[[dict[str, Any]], bytes]:
    """The bytes a Bundle is written as in `output_format` (json, xml or ndjson)."""
    if output_format == "ndjson":
        return bundle_ndjson_line
    if output_format not in _FILE_FORMATS:
        known = ", ".join([*_FILE_FORMATS, "ndjson"])
        raise ValueError(f"unknown output format {output_format!r}; use one of {known}")
    return _FILE_FORMATS[output_format][1]


class BundleWriter:
    """Writes Bundles into OUTDIR: `<member>.json`, `<member>.xml` or one `bundles.ndjson`."""

    def __init__(self, outdir: Path, output_format: str) -> None:
        if output_format not in _FILE_FORMATS and output_format != "ndjson":
            known = ", ".join([*_FILE_FORMATS, "ndjson"])
            raise ValueError(f"unknown output format {output_format!r}; use one of {known}")
        self.outdir = outdir
        self.format = output_format
        self.paths: list[Path] = []
        self._stream: BinaryIO | None = None
        outdir.mkdir(parents=True, exist_ok=True)

    def write(self, member_id: str, bundle: dict[str, Any]) -> None:
        self.write_rendered(member_id, renderer(self.format)(bundle))

    def write_rendered(self, member_id: str, data: bytes) -> None:
        """A Bundle already rendered in this writer's format (see `renderer`)."""
        if self.format == "ndjson":
            self._ndjson().write(data)
            return
        path = self.outdir / f"{_file_stem(member_id)}{_FILE_FORMATS[self.format][0]}"
        path.write_bytes(data)
        self.paths.append(path)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def _ndjson(self) -> BinaryIO:
        if self._stream is None:
            path = self.outdir / NDJSON_FILE
            self._stream = path.open("wb")
            self.paths.append(path)
        return self._stream

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _file_stem(member_id: str) -> str:
    """The member id itself when it is a safe file name, else its resource-id form."""
    safe = member_id and all(c.isalnum() or c in "-_." for c in member_id)
    return member_id if safe and not member_id.startswith(".") else resource_id(member_id)


_FILE_FORMATS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
    "json": (".json", bundle_json),
    "xml": (".xml", bundle_xml),
}
