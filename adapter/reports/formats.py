"""The report's output formats, by name, with the media type a service would send them as."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from adapter.errors import InvalidRequest
from adapter.reports.csv_table import to_csv
from adapter.reports.html_page import to_html
from adapter.reports.measure_report import to_measure_report


def _measure_report_json(report: dict[str, Any]) -> str:
    return json.dumps(to_measure_report(report), indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "json": (_measure_report_json, "application/fhir+json"),
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "html": (to_html, "text/html; charset=utf-8"),
}


def render(report: dict[str, Any], fmt: str) -> tuple[str, str]:
    """(text, media type) of the report in `fmt`; an unknown format is refused by name."""
    if fmt not in FORMATS:
        known = ", ".join(FORMATS)
        raise InvalidRequest(
            f"unknown report format {fmt!r}; use one of {known}", expression="_format"
        )
    write, media_type = FORMATS[fmt]
    return write(report), media_type
