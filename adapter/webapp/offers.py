"""A new LTS-C offer as the CC makes it: two LTS-Cs proposed from the plan's directory
(CHOICE-TWO), every other LTS-C who serves the member's area to choose from instead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from adapter.rules.choices import ltsc_choices, offerable_ltscs
from adapter.rules.directory import Directory
from adapter.webapp import labels
from adapter.webapp.actions import OFFER_TRIGGERS, SHORTFALL_REASONS

Record = dict[str, Any]


@dataclass
class Candidate:
    """An LTS-C who may be offered, with what the member and CC need to choose (CONTACT)."""

    staff_id: str
    name: str
    cbo_id: str
    cbo_name: str
    cbo_type: str
    phone: str
    email: str
    languages: list[str]


@dataclass
class OfferForm:
    candidates: list[Candidate]
    proposed: list[str]  # CHOICE-TWO: the rules' two best fits from different CBOs
    shortfall: str | None  # why fewer than two could be proposed
    trigger: str

    @property
    def cbo_of(self) -> dict[str, str]:
        return {c.staff_id: c.cbo_id for c in self.candidates}


def offer_form(record: Record, directory: Record, today: dt.date, trigger: str) -> OfferForm:
    staff = Directory.of(directory)
    proposal = ltsc_choices(record, staff, today)
    candidates = [_candidate(s, staff) for s in offerable_ltscs(record, staff, today)]
    return OfferForm(candidates, proposal.staff_ids, proposal.fewer_choices_reason, trigger)


def _candidate(entry: Record, staff: Directory) -> Candidate:
    cbo = staff.cbos.get(entry["cbo_id"]) or {}
    name = entry.get("name") or {}
    given = " ".join(name.get("given") or []) if isinstance(name, dict) else ""
    family = name.get("family", "") if isinstance(name, dict) else str(name)
    return Candidate(
        staff_id=entry["staff_id"],
        name=f"{given} {family}".strip(),
        cbo_id=entry["cbo_id"],
        cbo_name=str(cbo.get("name") or entry["cbo_id"]),
        cbo_type=labels.display("cbo-type", cbo.get("type")),
        phone=str(entry.get("phone") or ""),
        email=str(entry.get("email") or ""),
        languages=[labels.language(code) or code for code in entry.get("languages") or []],
    )


def trigger_choices() -> list[tuple[str, str]]:
    return [(code, labels.display("offer-trigger", code)) for code in OFFER_TRIGGERS]


def shortfall_choices() -> list[tuple[str, str]]:
    return [(code, labels.display("offer-choice-shortfall", code)) for code in SHORTFALL_REASONS]
