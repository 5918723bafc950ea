"""Issues and FHIR OperationOutcome: the one shape every boundary reports problems in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("fatal", "error", "warning", "information")


@dataclass(frozen=True)
class Issue:
    """One problem, located by a FHIRPath expression (FHIR) or a record path (plan exports)."""

    severity: str
    code: str
    message: str
    expression: tuple[str, ...] = field(default_factory=tuple)
    details_code: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown issue severity {self.severity!r}")

    @property
    def is_error(self) -> bool:
        return self.severity in ("fatal", "error")

    def to_fhir(self) -> dict[str, Any]:
        issue: dict[str, Any] = {"severity": self.severity, "code": self.code}
        details: dict[str, Any] = {"text": self.message}
        if self.details_code:
            details["coding"] = [
                {
                    "system": "https://ltsc-adapter.org/fhir/CodeSystem/issue-detail",
                    "code": self.details_code,
                }
            ]
        issue["details"] = details
        issue["diagnostics"] = self.message
        if self.expression:
            issue["expression"] = list(self.expression)
        return issue


def operation_outcome(issues: list[Issue] | tuple[Issue, ...]) -> dict[str, Any]:
    """An OperationOutcome for the issues; an 'all ok' information issue when there are none."""
    if not issues:
        issues = [Issue("information", "informational", "All OK")]
    return {"resourceType": "OperationOutcome", "issue": [i.to_fhir() for i in issues]}


def has_errors(issues: list[Issue] | tuple[Issue, ...]) -> bool:
    return any(i.is_error for i in issues)
