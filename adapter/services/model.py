"""What the member service hands back: ingest reports, event results and re-evaluations."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapter.outcome import Issue


@dataclass
class IngestReport:
    """One export ingested: members stored, members rejected and why (member id, issue)."""

    members_stored: int = 0
    members_rejected: int = 0
    issues: list[tuple[str, Issue]] = field(default_factory=list)


@dataclass
class EventResult:
    """One event applied: whether the record changed, the "Type/id" written, warnings kept."""

    changed: bool
    written: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@dataclass
class ReevaluationReport:
    """Stored members re-run through the rules as of one day (see `MemberService.reevaluate`)."""

    as_of: str
    members_checked: int = 0
    members_changed: int = 0
    resources_written: int = 0
    members_failed: int = 0
    issues: list[tuple[str, Issue]] = field(default_factory=list)

    def summary(self) -> dict[str, int | str]:
        return {
            "as_of": self.as_of,
            "members_checked": self.members_checked,
            "members_changed": self.members_changed,
            "resources_written": self.resources_written,
            "members_failed": self.members_failed,
        }
