"""LTS-C offer Tasks, one per obligation: each trigger owes the member an offer by its own due
date; the offers the plan recorded answer the obligations open when they were made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from adapter.rules.choices import ltsc_choices
from adapter.rules.dates import iso, parse_date
from adapter.rules.directory import Directory
from adapter.rules.timeline import (
    Episode,
    care_coordinator_on,
    date_of_death,
    enrollment_episodes,
    episode_on,
    member_id,
)
from adapter.rules.triggers import Trigger

Record = dict[str, Any]

OUTCOMES = ("accepted", "declined", "no-response")  # CHOICE
# Why an obligation can no longer be answered (Task.statusReason of a cancelled or failed Task).
DECEASED, DISENROLLED, MISSED = "member-deceased", "member-disenrolled", "next-annual-offer-opened"


@dataclass
class Obligation:
    """One trigger's offer: open from its date until an offer answers it or it lapses."""

    trigger: Trigger
    lapses: tuple[date, str] | None = None  # (first day it can no longer be answered, why)
    answer: Record | None = None  # the recorded offer that answered it

    def open_on(self, day: date) -> bool:
        return self.trigger.date <= day and (self.lapses is None or day < self.lapses[0])


@dataclass
class RecordedOffer:
    """An offer the plan made, and the obligations it answered."""

    offer: Record
    answered: list[Obligation] = field(default_factory=list)

    @property
    def made(self) -> date:
        return parse_date(self.offer["offered_on"])  # only offers with offered_on get here

    @property
    def closed_on(self) -> date | None:
        """CHOICE: an outcome closes the offer; until then new triggers are answered by it."""
        if self.offer.get("outcome") not in OUTCOMES:
            return None
        return parse_date(self.offer.get("outcome_date")) or self.made

    def answers(self, obligation: Obligation) -> bool:
        """Made while the obligation was open, or still pending when the trigger arose."""
        if obligation.open_on(self.made):
            return True
        day = obligation.trigger.date
        return self.made < day and (self.closed_on is None or day <= self.closed_on)


def obligations_of(
    record: Record, triggers: list[Trigger], episodes: list[Episode]
) -> list[Obligation]:
    """Each trigger with the day it lapses: death, the end of its enrollment episode, or (for
    OFFER-ANNUAL) the opening of the next year's re-offer of the same episode."""
    died = date_of_death(record)
    found = []
    for trigger in triggers:
        stops: list[tuple[date, str]] = []
        if died:
            stops.append((died, DECEASED))
        episode = episode_on(episodes, trigger.date)
        if episode and episode.end:
            stops.append((_next_day(episode.end), DISENROLLED))
        nxt = _next_annual(trigger, triggers)
        if nxt:
            stops.append((nxt, MISSED))
        found.append(Obligation(trigger, min(stops, default=None)))
    return found


def _next_annual(trigger: Trigger, triggers: list[Trigger]) -> date | None:
    if trigger.code != "OFFER-ANNUAL":
        return None
    episode = trigger.source_id.rsplit("-year-", 1)[0]
    later = [
        t.date
        for t in triggers
        if t.code == "OFFER-ANNUAL" and t.source_id.startswith(episode + "-year-")
        and t.date > trigger.date
    ]  # fmt: skip
    return min(later, default=None)


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def answer_obligations(
    obligations: list[Obligation], recorded: list[Record]
) -> list[RecordedOffer]:
    """Each obligation is answered by the first recorded offer that answers it."""
    made = [RecordedOffer(r) for r in sorted(recorded, key=_recorded_order)]
    for obligation in obligations:
        offer = next((m for m in made if m.answers(obligation)), None)
        if offer is not None:
            obligation.answer = offer.offer
            offer.answered.append(obligation)
    return made


def _recorded_order(offer: Record) -> tuple[str, str]:
    return (str(offer.get("offered_on") or ""), str(offer.get("offer_id") or ""))


def _recorded_trigger(offer: Record) -> Trigger:
    """An offer the plan made for a reason the records do not otherwise show."""
    day = parse_date(offer["offered_on"])
    return Trigger(
        offer.get("trigger") or "AVAIL-REQUEST", day, day, f"offer-{offer.get('offer_id')}"
    )


def derive_offers(
    record: Record, directory: Directory, triggers: list[Trigger], as_of: date
) -> list[dict[str, Any]]:
    """The LTS-C offer Tasks that must exist for this member on `as_of`: one per obligation,
    and one per recorded offer that answered none."""
    obligations = obligations_of(record, triggers, enrollment_episodes(record))
    recorded = _offers_known_on(record.get("offers") or [], as_of)
    made = answer_obligations(obligations, recorded)
    for offer in made:
        if not offer.answered:
            obligations.append(Obligation(_recorded_trigger(offer.offer), answer=offer.offer))
    obligations.sort(key=lambda o: o.trigger.sort_key())
    return [_offer_fact(record, directory, o, as_of) for o in obligations]


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


def _offer_fact(
    record: Record, directory: Directory, obligation: Obligation, as_of: date
) -> dict[str, Any]:
    trigger = obligation.trigger
    fact: dict[str, Any] = {
        "offer_key": f"{member_id(record)}-{trigger.source_id}",
        "triggers": [trigger.as_fact()],
        "authored_on": iso(trigger.date),
        "due": iso(trigger.due),
        "priority": _priority(trigger),
    }
    if obligation.answer:
        fact.update(_made_offer(obligation.answer))
        owner_day = parse_date(obligation.answer["offered_on"])
    else:
        stopped = obligation.lapses if obligation.lapses and obligation.lapses[0] <= as_of else None
        fact.update(_unmade_offer(record, directory, trigger.due, as_of, stopped))
        owner_day = min(as_of, stopped[0]) if stopped else as_of
    fact["owner_staff_id"] = care_coordinator_on(record, owner_day)
    return fact


def _priority(trigger: Trigger) -> str:
    """AVAIL-INSTITUTION is the most pressing trigger: an admission is about to happen."""
    return "urgent" if trigger.code == "AVAIL-INSTITUTION" else "routine"


def _made_offer(offer: Record) -> dict[str, Any]:
    outcome = offer.get("outcome") if offer.get("outcome") in OUTCOMES else None
    return {
        "status": "completed" if outcome else "in-progress",
        "business_status": outcome or "offered",
        "status_reason": None,
        "lapsed_on": None,
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
    """Not yet offered: due, overdue, cancelled because the member left or died, or failed
    because the next year's re-offer opened first (OFFER-ANNUAL)."""
    until = _previous_day(stopped[0]) if stopped else as_of
    past_due = (stopped[0] if stopped else as_of) > due
    choices = ltsc_choices(record, directory, as_of) if not stopped else None
    status = "ready"
    if stopped:
        status = "failed" if stopped[1] == MISSED else "cancelled"
    return {
        "status": status,
        "business_status": "overdue" if past_due else "due",
        "status_reason": stopped[1] if stopped else None,
        "lapsed_on": iso(until) if stopped else None,
        "offered_on": None,
        "choices": choices.staff_ids if choices else [],
        "fewer_choices_reason": choices.fewer_choices_reason if choices else None,
        "outcome": None,
        "outcome_date": None,
        "chosen_staff_id": None,
        "source_offer_id": None,
    }


def _previous_day(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)
