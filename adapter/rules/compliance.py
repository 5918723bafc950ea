"""Offer compliance (OFFER-90, OFFER-ANNUAL, AVAIL-*, REPORT): which offers were due, when each
was made, on time or how late, and which are still open past due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from adapter.rules.dates import parse_date
from adapter.rules.verdict import OPEN_OFFER_STATUSES, offer_verdict

Row = dict[str, Any]


def compliance_rows(member_id: str, offers: list[dict[str, Any]], as_of: date) -> list[Row]:
    """One row per offer Task, oldest first."""
    return [_row(member_id, offer, as_of) for offer in offers]


def _row(member_id: str, offer: dict[str, Any], as_of: date) -> Row:
    verdict = offer_verdict(offer["due"], offer.get("offered_on"), offer["status"], as_of)
    open_ = verdict.offered_on is None and offer["status"] in OPEN_OFFER_STATUSES
    return {
        "member_id": member_id,
        "offer_key": offer["offer_key"],
        "triggers": [t["code"] for t in offer["triggers"]],
        "first_trigger_date": offer["authored_on"],
        "due": offer["due"],
        "offered_on": offer.get("offered_on"),
        "on_time": verdict.on_time,
        "days_late": verdict.days_late,
        "open_overdue": verdict.overdue,
        "verdict": verdict.label(),
        "late_triggers": _late_triggers(offer, verdict.offered_on, as_of if open_ else None),
        "status": offer["status"],
        "outcome": offer.get("outcome"),
    }


def _late_triggers(offer: dict[str, Any], made: date | None, still_open: date | None) -> list:
    """Which triggers the offer missed: made after their due date, or still unmade past it."""
    when = made or still_open
    if when is None:
        return []
    return [t["code"] for t in offer["triggers"] if parse_date(t["due"]) < when]


def compliance_summary(rows: Iterable[Row]) -> dict[str, Any]:
    """Counts over rows of one member or many (REPORT: offers and uptake)."""
    rows = list(rows)
    was_due = [r for r in rows if r["offered_on"] or r["open_overdue"]]
    return {
        "members": len({r["member_id"] for r in rows}),
        "offers_due": len(was_due),
        "offers_made": sum(1 for r in rows if r["offered_on"]),
        "offers_on_time": sum(1 for r in rows if r["on_time"]),
        "offers_late": sum(1 for r in rows if r["on_time"] is False),
        "overdue_open": sum(1 for r in rows if r["open_overdue"]),
        "accepted": sum(1 for r in rows if r["outcome"] == "accepted"),
        "declined": sum(1 for r in rows if r["outcome"] == "declined"),
        "no_response": sum(1 for r in rows if r["outcome"] == "no-response"),
    }
