"""Coded values: binding checks by strength, and codes/displays against local CodeSystems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapter.validation.terminology import EXTERNAL_SYSTEMS, Terminology

# (severity, issue code, message, expression)
Report = Callable[[str, str, str, str], None]

CHECKED_STRENGTHS = {"required": "error", "extensible": "warning"}


def _codings(kind: str | None, value: Any) -> list[tuple[str | None, Any]]:
    """(system, code) pairs carried by a code, Coding, CodeableConcept or Quantity."""
    if kind is None:
        return [(None, value)]
    if kind == "CodeableConcept":
        codings = value.get("coding") if isinstance(value.get("coding"), list) else []
        return [(c.get("system"), c.get("code")) for c in codings if isinstance(c, dict)]
    return [(value.get("system"), value.get("code"))] if "code" in value else []


def check_binding(
    terminology: Terminology,
    report: Report,
    binding: tuple[str, str],
    kind: str | None,
    value: Any,
    expr: str,
) -> None:
    strength, value_set = binding
    severity = CHECKED_STRENGTHS.get(strength)
    if severity is None:
        return
    # A system that is not a string is reported by the uri check; the code is judged alone.
    pairs = [
        (s if isinstance(s, str) else None, c)
        for s, c in _codings(kind, value)
        if isinstance(c, str)
    ]
    if kind == "Quantity" and not pairs:
        return
    label = f"value set {value_set} ({strength} binding)"
    if not pairs:
        report(
            severity, "code-invalid", f"No code provided; a code from the {label} is expected", expr
        )
        return
    results = [terminology.check(value_set, s, c) for s, c in pairs]
    statuses = {r.status for r in results}
    if "in_set" in statuses:
        return
    shown = ", ".join(f"{s}#{c}" if s else f"'{c}'" for s, c in pairs)
    if "offline" in statuses:
        report(
            "information",
            "informational",
            f"Code {shown} cannot be checked offline against the {label}",
            expr,
        )
    elif "unknown_vs" in statuses:
        report("warning", "not-found", f"The {label} is not available; {shown} unchecked", expr)
    else:
        report(severity, "code-invalid", f"Code {shown} is not in the {label}", expr)


def check_coding(
    terminology: Terminology, report: Report, coding: dict[str, Any], expr: str
) -> None:
    """A code must exist in its system when the system is known locally; displays should match."""
    system, code = coding.get("system"), coding.get("code")
    if not isinstance(system, str) or not isinstance(code, str):
        return
    if system in EXTERNAL_SYSTEMS:
        return
    codes = terminology.system_codes(system)
    if codes is None:
        return
    if code not in codes:
        report(
            "error",
            "code-invalid",
            f"Code '{code}' is not defined in code system {system}",
            f"{expr}.code",
        )
        return
    display, expected = coding.get("display"), codes[code]
    if isinstance(display, str) and expected and display.strip().lower() != expected.lower():
        report(
            "warning",
            "code-invalid",
            f"Display '{display}' for {system}#{code} should be '{expected}'",
            f"{expr}.display",
        )
