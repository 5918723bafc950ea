"""Series behind the charts: offers by month, and how many days members waited for an offer."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.reports.cohorts import Inputs, first_offers
from adapter.reports.rows import within

# Days from enrollment to first offer; the third bin closes at the OFFER-90 limit.
DAY_BINS: tuple[tuple[int, int | None], ...] = ((0, 30), (31, 60), (61, 90), (91, 180), (181, None))


def months(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar months overlapping the period, each cut to the period."""
    spans, first = [], start
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(end, date.fromordinal(following.toordinal() - 1))
        spans.append((first, last))
        first = following
    return spans


def offers_by_month(i: Inputs) -> list[dict[str, Any]]:
    """Per month: offers due, offers made, and how many of those made were accepted."""
    rows = []
    for first, last in months(i.start, i.end):
        made = [o for o in i.offers if within(o["offered_on"], first, last)]
        rows.append(
            {
                "month": first.strftime("%Y-%m"),
                "due": sum(1 for o in i.offers if within(o["due"], first, last)),
                "made": len(made),
                "accepted": sum(1 for o in made if o["outcome"] == "accepted"),
            }
        )
    return rows


def days_to_offer_bins(i: Inputs) -> list[dict[str, Any]]:
    days = [fact["days"] for fact in first_offers(i)]
    return [
        {"low": low, "high": high, "label": _label(low, high), "members": _count(days, low, high)}
        for low, high in DAY_BINS
    ]


def _label(low: int, high: int | None) -> str:
    return f"{low}–{high} days" if high is not None else f"over {low - 1} days"


def _count(days: list[int], low: int, high: int | None) -> int:
    return sum(1 for d in days if d >= low and (high is None or d <= high))
