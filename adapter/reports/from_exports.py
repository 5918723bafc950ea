"""rows_from_exports: member and offer rows from plan exports, through the One Care rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Protocol

from adapter.reports.rows import MemberRow, OfferRow
from adapter.rules import RuleSettings, evaluate_member
from adapter.rules.dates import export_as_of
from adapter.rules.timeline import date_of_death, enrollment_episodes, episode_on, rating_on

Record = dict[str, Any]


class PlanExportLike(Protocol):
    export: Record
    directory: Record
    members: list[Record]


def rows_from_exports(
    plan_exports: Iterable[PlanExportLike],
    as_of: date | None = None,
    settings: RuleSettings | None = None,
    track: Callable[[list[Record]], Iterable[Record]] = iter,
) -> tuple[list[MemberRow], list[OfferRow]]:
    """Rows of every member of every export, evaluated as of `as_of` (default: the export's
    `generated_at`, the clock the rules use for that snapshot). `track` sees each export's
    members go by (a progress bar counts them)."""
    members: list[MemberRow] = []
    offers: list[OfferRow] = []
    for plan_export in plan_exports:
        clock = as_of or export_as_of(plan_export.export)
        plan_id = (plan_export.export.get("plan") or {}).get("plan_id")
        types = cbo_types_by_staff(plan_export.directory)
        for record in track(plan_export.members):
            members.extend(member_rows(record, plan_id, clock))
            derived = evaluate_member(record, plan_export.directory, clock, settings)
            offers.extend(offer_rows(record, plan_id, derived["offers"], types))
    return members, offers


def cbo_types_by_staff(directory: Record) -> dict[str, str]:
    """CBO-TYPES: each LTS-C's CBO type, through ltsc_staff[].cbo_id → cbos[].type."""
    cbo_type = {c.get("cbo_id"): c.get("type") for c in directory.get("cbos") or []}
    return {
        s["staff_id"]: cbo_type[s.get("cbo_id")]
        for s in directory.get("ltsc_staff") or []
        if cbo_type.get(s.get("cbo_id"))
    }


def member_rows(record: Record, plan_id: str | None, clock: date) -> list[MemberRow]:
    """One row per enrollment episode; death ends the episode it falls in."""
    member_id = str(record["member"]["member_id"])
    died = date_of_death(record)
    rows: list[MemberRow] = []
    for episode in enrollment_episodes(record):
        end = min((d for d in (episode.end, died) if d and d >= episode.start), default=None)
        if episode.start > clock:
            continue
        last_day = min(end or clock, clock)
        rows.append(
            {
                "member_id": member_id,
                "plan_id": plan_id,
                "rating_category": rating_on(record, last_day),
                "enrollment_start": episode.start,
                "enrollment_end": end,
            }
        )
    return rows


def offer_rows(
    record: Record, plan_id: str | None, offers: list[Record], types: dict[str, str]
) -> list[OfferRow]:
    """Offers the member was owed; an offer cancelled before it fell due was never owed."""
    return [
        offer_row(record, plan_id, offer, types)
        for offer in offers
        if not _never_owed(record, offer)
    ]


def _never_owed(record: Record, offer: Record) -> bool:
    if offer["status"] != "cancelled":
        return False
    authored = date.fromisoformat(offer["authored_on"])
    episode = episode_on(enrollment_episodes(record), authored)
    stops = [d for d in (date_of_death(record), episode.end if episode else None) if d]
    return not stops or date.fromisoformat(offer["due"]) > min(stops)


def offer_row(
    record: Record, plan_id: str | None, offer: Record, types: dict[str, str]
) -> OfferRow:
    made = _day(offer.get("offered_on"))
    choices = list(offer.get("choices") or []) if made else []
    trigger_date = date.fromisoformat(offer["authored_on"])
    return {
        "member_id": str(record["member"]["member_id"]),
        "plan_id": plan_id,
        "trigger": offer["triggers"][0]["code"],
        "triggers": [t["code"] for t in offer["triggers"]],
        "trigger_date": trigger_date,
        "due": date.fromisoformat(offer["due"]),
        "offered_on": made,
        "outcome": offer.get("outcome"),
        "outcome_date": _day(offer.get("outcome_date")),
        "choices": len(choices),
        "cbo_types": sorted({types[s] for s in choices if s in types}),
        "chosen_cbo_type": types.get(offer.get("chosen_staff_id") or ""),
        "rating_category": rating_on(record, trigger_date),
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None
