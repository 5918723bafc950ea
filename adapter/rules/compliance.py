"""Offer compliance (OFFER-90, OFFER-ANNUAL, AVAIL-*, REPORT): one row per obligation - when it
fell due, when an offer answered it, on time or how late, still open past due (and by how many
days), or missed (it lapsed unanswered after its due date)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from adapter.rules.dates import days_between, parse_date
from adapter.rules.verdict import OPEN_OFFER_STATUSES, offer_verdict

Row = dict[str, Any]


STOPPED = ("cancelled", "failed")


def compliance_rows(member_id: str, offers: list[dict[str, Any]], as_of: date) -> list[Row]:
    """One row per offer Task (one obligation each), oldest first."""
    return [_row(member_id, offer, as_of) for offer in offers]


def _row(member_id: str, offer: dict[str, Any], as_of: date) -> Row:
    verdict = offer_verdict(offer["due"], offer.get("offered_on"), offer["status"], as_of)
    made = verdict.offered_on
    open_ = made is None and offer["status"] in OPEN_OFFER_STATUSES
    missed = made is None and offer["status"] in STOPPED and offer["business_status"] == "overdue"
    late_by = verdict.days_late
    if missed:
        late_by = max(0, days_between(parse_date(offer["due"]), _lapsed_on(offer, as_of)))
    return {
        "member_id": member_id,
        "offer_key": offer["offer_key"],
        "triggers": [t["code"] for t in offer["triggers"]],
        "first_trigger_date": offer["authored_on"],
        "due": offer["due"],
        "offered_on": offer.get("offered_on"),
        "on_time": verdict.on_time,
        "days_late": late_by,
        "open_overdue": verdict.overdue,
        "days_overdue": verdict.days_late if verdict.overdue else 0,
        "missed": missed,
        "verdict": verdict.label(),
        "late_triggers": _late_triggers(offer, made, as_of if open_ else None),
        "status": offer["status"],
        "status_reason": offer.get("status_reason"),
        "outcome": offer.get("outcome"),
    }


def _lapsed_on(offer: dict[str, Any], as_of: date) -> date:
    """The last day an unanswered obligation could have been answered."""
    return parse_date(offer.get("lapsed_on")) or as_of


def _late_triggers(offer: dict[str, Any], made: date | None, still_open: date | None) -> list:
    """Which triggers the offer missed: made after their due date, or still unmade past it."""
    when = made or still_open
    if when is None:
        return []
    return [t["code"] for t in offer["triggers"] if parse_date(t["due"]) < when]


def compliance_summary(rows: Iterable[Row]) -> dict[str, Any]:
    """Counts over rows of one member or many (REPORT: offers and uptake)."""
    rows = list(rows)
    was_due = [r for r in rows if r["offered_on"] or r["open_overdue"] or r["missed"]]
    return {
        "members": len({r["member_id"] for r in rows}),
        "offers_due": len(was_due),
        "offers_made": sum(1 for r in rows if r["offered_on"]),
        "offers_on_time": sum(1 for r in rows if r["on_time"]),
        "offers_late": sum(1 for r in rows if r["on_time"] is False),
        "overdue_open": sum(1 for r in rows if r["open_overdue"]),
        "missed": sum(1 for r in rows if r["missed"]),
        "accepted": sum(1 for r in rows if r["outcome"] == "accepted"),
        "declined": sum(1 for r in rows if r["outcome"] == "declined"),
        "no_response": sum(1 for r in rows if r["outcome"] == "no-response"),
    }


def days_overdue_by_member(rows: Iterable[Row]) -> dict[str, int]:
    """REPORT: per member, the days past due of their oldest obligation still unanswered."""
    found: dict[str, int] = {}
    for row in rows:
        found[row["member_id"]] = max(found.get(row["member_id"], 0), row["days_overdue"])
    return found
