"""Look-ups into a plan's directory (staff, CBOs, vendors) by id, built once per export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Each staff entry is handed to the specs with its role, so one look-up serves both kinds.
_STAFF_LISTS = {"ltsc_staff": "ltsc", "care_coordinators": "cc"}


class DirectoryIndex:
    """Directory entries by id: `find("staff" | "cbo" | "vendor", id)`."""

    def __init__(self, directory: Mapping[str, Any] | None) -> None:
        directory = directory or {}
        self._by_kind: dict[str, dict[str, Any]] = {
            "staff": {},
            "cbo": {c["cbo_id"]: c for c in directory.get("cbos") or ()},
            "vendor": {v["vendor_id"]: v for v in directory.get("vendors") or ()},
        }
        for list_name, role in _STAFF_LISTS.items():
            for staff in directory.get(list_name) or ():
                self._by_kind["staff"][staff["staff_id"]] = {**staff, "role": role}

    def find(self, kind: str, key: Any) -> dict[str, Any] | None:
        return self._by_kind[kind].get(key) if isinstance(key, str) else None
