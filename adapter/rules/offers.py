"""LTS-C offer Tasks: triggers grouped into offers, matched to offers the plan recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from adapter.rules.choices import ltsc_choices
from adapter.rules.dates import iso, parse_date
from adapter.rules.directory import Directory
from adapter.rules.timeline import (
    care_coordinator_on,
    date_of_death,
    enrollment_episodes,
    episode_on,
    member_id,
)
from adapter.rules.triggers import Trigger

Record = dict[str, Any]

OUTCOMES = ("accepted", "declined", "no-response")  # CHOICE


@dataclass
class OfferGroup:
    """The triggers one offer answers, and the plan's record of that offer if it was made."""

    recorded: Record | None = None
    triggers: list[Trigger] = field(default_factory=list)

    @property
    def closed_on(self) -> date | None:
        """CHOICE: an outcome closes the offer; until then new triggers join it."""
        if not self.recorded or self.recorded.get("outcome") not in OUTCOMES:
            return None
        rec = self.recorded
        return parse_date(rec.get("outcome_date")) or parse_date(rec.get("offered_on"))

    def answers(self, trigger: Trigger) -> bool:
        return self.closed_on is None or trigger.date <= self.closed_on


def group_triggers(
    triggers: list[Trigger], recorded: list[Record], cutoff: dict[str, date | None]
) -> list[OfferGroup]:
    """Each trigger joins the recorded offer open at its date (or made after it), else the
    open unmade offer of its episode, else starts one; `cutoff` maps a trigger to its episode end.
    """
    made = [OfferGroup(recorded=r) for r in sorted(recorded, key=_recorded_order)]
    unmade: list[OfferGroup] = []
    for trigger in triggers:
        group = next((g for g in made if g.answers(trigger)), None)
        if group is None:
            group = _open_unmade(unmade, trigger, cutoff)
        group.triggers.append(trigger)
    for group in made:
        if not group.triggers:
            group.triggers.append(_recorded_trigger(group.recorded or {}))
    return sorted(made + unmade, key=lambda g: g.triggers[0].sort_key())


def _open_unmade(unmade: list[OfferGroup], trigger: Trigger, cutoff: dict) -> OfferGroup:
    last = unmade[-1] if unmade else None
    ends = cutoff.get(last.triggers[0].source_id) if last else None
    if last is None or (ends is not None and trigger.date > ends):
        last = OfferGroup()
        unmade.append(last)
    return last


def _recorded_order(offer: Record) -> tuple[str, str]:
    return (str(offer.get("offered_on") or ""), str(offer.get("offer_id") or ""))


def _recorded_trigger(offer: Record) -> Trigger:
    """An offer the plan made for a reason the records do not otherwise show."""
    day = parse_date(offer["offered_on"])  # only offers with offered_on reach the grouping
    return Trigger(
        offer.get("trigger") or "AVAIL-REQUEST", day, day, f"offer-{offer.get('offer_id')}"
    )


def derive_offers(
    record: Record, directory: Directory, triggers: list[Trigger], as_of: date
) -> list[dict[str, Any]]:
    """The LTS-C offer Tasks that must exist for this member on `as_of`."""
    episodes = enrollment_episodes(record)
    cutoff = {t.source_id: _episode_end(episodes, t.date) for t in triggers}
    recorded = _offers_known_on(record.get("offers") or [], as_of)
    groups = group_triggers(triggers, recorded, cutoff)
    return [_offer_fact(record, directory, g, as_of, cutoff) for g in groups]


def _offers_known_on(offers: list[Record], as_of: date) -> list[Record]:
    """Offers made by `as_of`; an outcome recorded after `as_of` is not known yet."""
    known = []
    for offer in offers:
        made = parse_date(offer.get("offered_on"))
        if made is None or made > as_of:
            continue
        decided = parse_date(offer.get("outcome_date"))
        known.append(offer | {"outcome": None} if decided and decided > as_of else offer)
    return known


def _episode_end(episodes: list, day: date) -> date | None:
    episode = episode_on(episodes, day)
    return episode.end if episode else None


def _offer_fact(
    record: Record, directory: Directory, group: OfferGroup, as_of: date, cutoff: dict
) -> dict[str, Any]:
    first = group.triggers[0]
    due = min(t.due for t in group.triggers)
    fact: dict[str, Any] = {
        "offer_key": f"{member_id(record)}-{first.source_id}",
        "triggers": [t.as_fact() for t in group.triggers],
        "authored_on": iso(first.date),
        "due": iso(due),
        "priority": _priority(group.triggers),
    }
    if group.recorded:
        fact.update(_made_offer(group.recorded))
        owner_day = parse_date(group.recorded["offered_on"])
    else:
        stopped = _stopped(record, cutoff.get(first.source_id), as_of)
        fact.update(_unmade_offer(record, directory, due, as_of, stopped))
        owner_day = min(as_of, stopped[0]) if stopped else as_of
    fact["owner_staff_id"] = care_coordinator_on(record, owner_day)
    return fact


def _priority(triggers: list[Trigger]) -> str:
    """AVAIL-INSTITUTION is the most pressing trigger: an admission is about to happen."""
    return "urgent" if any(t.code == "AVAIL-INSTITUTION" for t in triggers) else "routine"


def _made_offer(offer: Record) -> dict[str, Any]:
    outcome = offer.get("outcome") if offer.get("outcome") in OUTCOMES else None
    return {
        "status": "completed" if outcome else "in-progress",
        "business_status": outcome or "offered",
        "status_reason": None,
        "offered_on": offer.get("offered_on"),
        "choices": list(offer.get("choices") or []),
        "fewer_choices_reason": offer.get("fewer_choices_reason"),
        "outcome": outcome,
        "outcome_date": offer.get("outcome_date") if outcome else None,
        "chosen_staff_id": offer.get("chosen_staff_id") if outcome == "accepted" else None,
        "source_offer_id": offer.get("offer_id"),
    }


def _unmade_offer(
    record: Record, directory: Directory, due: date, as_of: date, stopped: tuple | None
) -> dict[str, Any]:
    """Not yet offered: due, overdue, or cancelled because the member left or died."""
    until = min(as_of, stopped[0]) if stopped else as_of
    choices = ltsc_choices(record, directory, as_of) if not stopped else None
    return {
        "status": "cancelled" if stopped else "ready",
        "business_status": "overdue" if until > due else "due",
        "status_reason": stopped[1] if stopped else None,
        "offered_on": None,
        "choices": choices.staff_ids if choices else [],
        "fewer_choices_reason": choices.fewer_choices_reason if choices else None,
        "outcome": None,
        "outcome_date": None,
        "chosen_staff_id": None,
        "source_offer_id": None,
    }


def _stopped(record: Record, episode_end: date | None, as_of: date) -> tuple[date, str] | None:
    """Why an unmade offer can no longer be made: the member died or disenrolled."""
    died = date_of_death(record)
    if died and died <= as_of:
        return (died, "member-deceased")
    if episode_end and episode_end < as_of:
        return (episode_end, "member-disenrolled")
    return None
