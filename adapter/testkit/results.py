"""Check results and the pass/fail report (text, one line per check, or JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

PASS, FAIL, WARN = "PASS", "FAIL", "WARN"


@dataclass(frozen=True)
class CheckResult:
    """One check: its name, PASS/FAIL/WARN and why."""

    check: str
    status: str
    reason: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL


def passed(check: str, reason: str) -> CheckResult:
    return CheckResult(check, PASS, reason)


def failed(check: str, reason: str) -> CheckResult:
    return CheckResult(check, FAIL, reason)


def warned(check: str, reason: str) -> CheckResult:
    return CheckResult(check, WARN, reason)


def summary(results: list[CheckResult]) -> dict[str, int]:
    return {status: sum(r.status == status for r in results) for status in (PASS, FAIL, WARN)}


def text_report(base_url: str, results: list[CheckResult]) -> str:
    lines = [f"check-server {base_url}"]
    lines += [f"{r.status} {r.check}: {r.reason}" for r in results]
    counts = summary(results)
    verdict = "FAILED" if counts[FAIL] else "PASSED"
    lines.append(
        f"{verdict}: {counts[PASS]} passed, {counts[FAIL]} failed, {counts[WARN]} warnings"
    )
    return "\n".join(lines) + "\n"


def json_report(base_url: str, results: list[CheckResult]) -> str:
    counts = summary(results)
    report = {
        "server": base_url,
        "passed": counts[FAIL] == 0,
        "summary": {k.lower(): v for k, v in counts.items()},
        "checks": [asdict(r) for r in results],
    }
    return json.dumps(report, indent=2) + "\n"
