"""The ADT code tables (codes.yaml), loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from adapter.canonical import identifier_system

TABLES_FILE = Path(__file__).with_name("codes.yaml")
MASSHEALTH_SYSTEM = "https://www.mass.gov/masshealth/member-id"
IDENTIFIER_SYSTEMS = {
    "plan-member-id": identifier_system("plan-member-id"),
    "masshealth-id": MASSHEALTH_SYSTEM,
}


@cache
def tables() -> dict[str, Any]:
    return yaml.safe_load(TABLES_FILE.read_text(encoding="utf-8"))


def identifier_kind(authority: str, universal_id: str, type_code: str) -> str | None:
    """plan-member-id / masshealth-id for a PID-3 repetition, None for other identifiers."""
    authorities = tables()["identifier_authorities"]
    for key in (authority, universal_id):
        if key and key.upper() in authorities:
            return authorities[key.upper()]
        if key in authorities:
            return authorities[key]
    return tables()["identifier_types"].get(type_code.upper())


def institution_type(codes: list[str]) -> str | None:
    """The first facility type any of the codes names, in the order given."""
    known = tables()["institution_codes"]
    for code in codes:
        if code and code.upper() in known:
            return known[code.upper()]
    return None


def load_facilities(path: Path) -> dict[str, dict[str, Any]]:
    """Facility addresses by PV1-3.4 facility id or name (upper case), from a YAML mapping."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key).upper(): dict(address) for key, address in entries.items()}
