"""The rules' verdict on one LTS-C offer (OFFER-90, OFFER-ANNUAL, AVAIL-*) as of a given day.

Compliance rows, reports, the web app and the FHIR Task's business status all take their
"on time" / "overdue by N days" from here, so no reader compares dates on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adapter.rules.dates import days_between, parse_date

OPEN_OFFER_STATUSES = ("ready", "in-progress", "on-hold")


@dataclass(frozen=True)
class OfferVerdict:
    """Where one offer stands against its due date."""

    state: str  # not-due-yet | due-today | overdue | on-time | late | closed-unmade
    due: date | None
    offered_on: date | None
    days_late: int  # days past due: when made late, or so far while still unmade
    days_left: int  # days until due while unmade and not yet overdue
    awaiting_decision: bool

    @property
    def overdue(self) -> bool:
        """Unmade and past its due date: the plan owes the member this offer now."""
        return self.state == "overdue"

    @property
    def on_time(self) -> bool | None:
        """Whether the offer was made by its due date; None while it is not made."""
        return None if self.offered_on is None else self.state == "on-time"

    def label(self) -> str:
        """The verdict in words, as the web app and reports show it."""
        if self.state == "on-time":
            made = f"offered on time ({self.offered_on.isoformat()})"  # type: ignore[union-attr]
            return f"{made}, awaiting decision" if self.awaiting_decision else made
        if self.state == "late":
            made = f"offered {_days(self.days_late)} late ({self.offered_on.isoformat()})"  # type: ignore[union-attr]
            return f"{made}, awaiting decision" if self.awaiting_decision else made
        if self.state == "overdue":
            return f"not offered, overdue by {_days(self.days_late)}"
        if self.state == "due-today":
            return "not offered, due today"
        if self.state == "not-due-yet":
            return f"not offered yet, due in {_days(self.days_left)}"
        return "not offered; closed"


def offer_verdict(
    due: date | str | None, offered_on: date | str | None, status: str, as_of: date
) -> OfferVerdict:
    """The verdict on an offer due `due`, made `offered_on` (or not), in Task `status`."""
    due_day, made = parse_date(due), parse_date(offered_on)
    open_ = status in OPEN_OFFER_STATUSES
    if made is not None:
        late = max(0, days_between(due_day, made)) if due_day else 0
        return OfferVerdict(
            "late" if late else "on-time", due_day, made, late, 0, awaiting_decision=open_
        )
    if not open_ or due_day is None:
        return OfferVerdict("closed-unmade", due_day, None, 0, 0, awaiting_decision=False)
    gap = days_between(due_day, as_of)
    if gap > 0:
        return OfferVerdict("overdue", due_day, None, gap, 0, awaiting_decision=False)
    state = "due-today" if gap == 0 else "not-due-yet"
    return OfferVerdict(state, due_day, None, 0, -gap, awaiting_decision=False)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
