"""LTS-C offers and uptake reporting (REPORT).

    members, offers = rows_from_exports(read_exports(paths).exports)   # or rows_from_fhir(...)
    report = compute_report(members, offers, date(2026, 4, 1), date(2026, 6, 30), plan_id=None)
    to_measure_report(report) / to_csv(report) / to_html(report) / render(report, "html")

docs/reports.md defines which rows each figure counts; `evaluate_measure` serves the report
endpoint from stored FHIR resources.
"""

from adapter.reports.csv_table import to_csv
from adapter.reports.formats import FORMATS, render
from adapter.reports.from_exports import rows_from_exports
from adapter.reports.from_fhir import rows_from_fhir
from adapter.reports.html_page import to_html
from adapter.reports.measure_report import to_measure_report
from adapter.reports.report import compute_report
from adapter.reports.rows import MemberRow, OfferRow
from adapter.reports.service import evaluate_measure

__all__ = [
    "FORMATS",
    "MemberRow",
    "OfferRow",
    "compute_report",
    "evaluate_measure",
    "render",
    "rows_from_exports",
    "rows_from_fhir",
    "to_csv",
    "to_html",
    "to_measure_report",
]
