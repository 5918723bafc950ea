"""The values the store hands back: stored resources, write outcomes, search and history pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

WriteStatus = Literal["created", "updated", "unchanged", "deleted", "exists"]
SearchParams = list[tuple[str, str]]


@dataclass
class StoredResource:
    """One version of a resource; `resource` carries meta.versionId and meta.lastUpdated."""

    resource: dict[str, Any]
    type: str
    id: str
    version_id: str
    last_updated: datetime
    deleted: bool = False


@dataclass
class WriteOutcome:
    """What a write did; `version_id` is "" only when a delete found nothing to delete."""

    status: WriteStatus
    resource: dict[str, Any] | None
    type: str
    id: str
    version_id: str
    last_updated: datetime

    @property
    def etag(self) -> str:
        return f'W/"{self.version_id}"'

    @property
    def location(self) -> str:
        return f"{self.type}/{self.id}/_history/{self.version_id}"


@dataclass
class SearchPage:
    """One page of matches plus `_include`/`_revinclude` resources and paging parameters."""

    total: int
    matches: list[StoredResource] = field(default_factory=list)
    included: list[StoredResource] = field(default_factory=list)
    next_params: SearchParams | None = None
    prev_params: SearchParams | None = None
    ignored_params: SearchParams = field(default_factory=list)


@dataclass
class HistoryPage:
    """Versions newest first, deletes included (`deleted=True`, resource holds only id/meta)."""

    total: int
    entries: list[StoredResource] = field(default_factory=list)
    next_offset: int | None = None
