"""What the member service hands back: ingest reports and event results."""

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
