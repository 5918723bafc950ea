"""The records the intake hands over: plan exports, read results and record errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordError:
    """One problem in an input file.

    `location` is where a reader found it ("line 3", "row 17", "/members/4"); `field` is the path
    inside the located unit ("member.birth_date", "offers[0].choices[1]"), empty for whole-file
    problems.
    """

    file: str
    location: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        subject = f"{self.field}: " if self.field else ""
        return f"{where}: {subject}{self.message}"


@dataclass
class PlanExport:
    """One plan's checked export: header, directory and the members that passed every check."""

    source: str
    export: dict[str, Any]
    directory: dict[str, Any]
    members: list[dict[str, Any]]


@dataclass
class ReadResult:
    """Everything read from a set of input paths.

    `members_read` counts every member record found; `members_rejected` those left out because
    of an error (or because their export's header was unusable).
    """

    exports: list[PlanExport] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    members_read: int = 0
    members_rejected: int = 0

    @property
    def members_accepted(self) -> int:
        return self.members_read - self.members_rejected

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def unusable_header(self) -> bool:
        """Whether an export's header (plan, `generated_at`, ...) could not be used at all:
        commands then stop with exit 2, as for a bad option."""
        return any(str(e.field or "").startswith("export.") for e in self.errors)
