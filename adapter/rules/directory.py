"""Lookups in an export's directory: CBOs, LTS-Cs and their contracts on a given day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adapter.rules.dates import parse_date, within

Record = dict[str, Any]


@dataclass(frozen=True)
class Directory:
    """The directory indexed by id; unknown ids resolve to empty dicts, never raise."""

    cbos: dict[str, Record]
    staff: dict[str, Record]

    @classmethod
    def of(cls, directory: Record) -> Directory:
        staff = [*(directory.get("ltsc_staff") or []), *(directory.get("care_coordinators") or [])]
        return cls(
            cbos={c["cbo_id"]: c for c in directory.get("cbos") or [] if c.get("cbo_id")},
            staff={s["staff_id"]: s for s in staff if s.get("staff_id")},
        )

    def ltsc_staff(self) -> list[Record]:
        return [s for s in self.staff.values() if s.get("cbo_id")]

    def cbo_of(self, staff_id: str | None) -> Record:
        return self.cbos.get((self.staff.get(staff_id or "") or {}).get("cbo_id") or "", {})

    def contract_end(self, cbo: Record) -> date | None:
        return parse_date((cbo.get("contract") or {}).get("end"))

    def under_contract(self, cbo: Record, day: date) -> bool:
        contract = cbo.get("contract") or {}
        start = parse_date(contract.get("start"))
        return start is not None and within(day, start, parse_date(contract.get("end")))


def on_time_off(staff: Record, day: date) -> bool:
    return any(
        within(day, parse_date(p.get("start")), parse_date(p.get("end")))
        for p in staff.get("time_off") or []
    )


def display_name(person: Record) -> str:
    name = person.get("name") or {}
    return " ".join([*(name.get("given") or []), name.get("family") or ""]).strip()


def contact_line(staff: Record, cbo: Record) -> str:
    """Name, CBO and direct lines, as CONTACT asks every hand-over to carry."""
    parts = [display_name(staff) or str(staff.get("staff_id"))]
    if cbo.get("name"):
        parts.append(cbo["name"])
    parts += [staff[k] for k in ("phone", "email") if staff.get(k)]
    return ", ".join(parts)
