"""A CBO's move on its referral Task read as changes to the member's record.

    referral_events(task, record, directory) -> [(kind, item), ...]   # in order; [] for none

- accepted, naming another LTS-C of the CBO than the one the member chose: that LTS-C takes
  over on the care team (CHOICE: the CBO assigns within the member's chosen CBO);
- rejected: the chosen LTS-C leaves the care team and the member's other choices are offered
  again, an open offer for the Care Coordinator (CHOICE-TWO);
- completed: the LTS-C's coordination ends;
- cancelled by the CBO: the LTS-C left (STAFFING).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.mapping.ids import resource_id
from adapter.rules.choices import CHOICES_PER_OFFER, REOFFER_SUFFIX, ltsc_choices
from adapter.rules.directory import Directory
from adapter.rules.task_states import task_kind
from adapter.services.events import ACCEPTED_OFFER_SHARE, find_item

Record = dict[str, Any]
REFERRAL_PREFIX = "referral-"
ROLE_PREFIX = "PractitionerRole/"


def is_referral(task: Record) -> bool:
    return str(task.get("id", "")).startswith(REFERRAL_PREFIX) and task_kind(task) == "fulfillment"


def referral_events(task: Record, record: Record, directory: Record) -> list[tuple[str, Record]]:
    """The record changes the CBO's move implies, oldest first."""
    offer = _offer(task, record)
    if offer is None:
        return []
    chosen = offer.get("chosen_staff_id")
    day = _day(task) or offer.get("outcome_date")
    status = task.get("status")
    serving = _serving(record, chosen)
    if status == "accepted":
        assigned = _assigned(task, directory)
        if not assigned or assigned == chosen or _serving(record, assigned):
            return []
        new = {"staff_id": assigned, "start": day, "end": None, "end_reason": None}
        return [
            _consent_for(record, chosen, assigned, day),
            *_ended(serving, day, None),  # a hand-over within the CBO, not a new choice
            ("ltsc_assignments", new),
        ]
    if status == "rejected":
        return [*_ended(serving, day, None), *_next_choice(offer, chosen, record, directory, day)]
    if status == "completed":
        return _ended(_serving(record, _assigned(task, directory) or chosen), day, None)
    if status == "cancelled":
        return _ended(_serving(record, _assigned(task, directory) or chosen), day, "staff-left")
    return []


def _offer(task: Record, record: Record) -> Record | None:
    """The accepted offer this referral carries out, from the Task's source-record id."""
    for identifier in task.get("identifier") or []:
        parts = str(identifier.get("value", "")).split("/")
        if len(parts) == 3 and parts[2] == "referral":
            return find_item(record, "offers", (parts[1],))
    return None


def _serving(record: Record, staff_id: str | None) -> Record | None:
    return next(
        (
            a
            for a in record.get("ltsc_assignments") or []
            if a["staff_id"] == staff_id and a.get("end") is None
        ),
        None,
    )


def _ended(assignment: Record | None, day: str, reason: str | None) -> list[tuple[str, Record]]:
    if assignment is None:
        return []
    return [
        (
            "ltsc_assignments",
            {**assignment, "end": max(day, assignment["start"]), "end_reason": reason},
        )
    ]


def _consent_for(record: Record, chosen: str | None, assigned: str, day: str) -> tuple[str, Record]:
    """TEAM-DISCRETION: the member's consent for the LTS-C they chose carries over to the one
    the same CBO assigns, sharing what the member agreed to share."""
    given = [c for c in record.get("consents") or [] if c["staff_id"] == chosen]
    given.sort(key=lambda c: c["date"])
    share = list(given[-1].get("share") or ACCEPTED_OFFER_SHARE) if given else ACCEPTED_OFFER_SHARE
    consent = {
        "consent_id": f"consent-{assigned}-{day}",
        "date": day,
        "staff_id": assigned,
        "decision": "permit",
        "share": list(share),
    }
    return ("consents", consent)


def _next_choice(
    offer: Record, rejected: str | None, record: Record, directory: Record, day: str
) -> list[tuple[str, Record]]:
    """CHOICE-TWO: the choices the member was given, less the CBO that said no, offered again,
    topped up from the directory to two CBOs where the member's county has them."""
    cbo_of = {s["staff_id"]: s.get("cbo_id") for s in directory.get("ltsc_staff") or []}
    refused = cbo_of.get(rejected)
    others = [c for c in offer.get("choices") or [] if cbo_of.get(c) != refused]
    proposed = ltsc_choices(record, Directory.of(directory), date.fromisoformat(day[:10]))
    for staff_id in proposed.staff_ids:
        cbos = {cbo_of.get(c) for c in others}
        if len(cbos) >= CHOICES_PER_OFFER:
            break
        if cbo_of.get(staff_id) not in (cbos | {refused}):
            others.append(staff_id)
    enough = len({cbo_of.get(c) for c in others}) >= CHOICES_PER_OFFER
    again = {
        "offer_id": f"{offer['offer_id'][:58]}{REOFFER_SUFFIX}",
        "trigger": offer["trigger"],
        "offered_on": day,
        "choices": others,
        "fewer_choices_reason": None if enough else "fewer-than-two-cbos",
        "outcome": None,
        "outcome_date": None,
        "chosen_staff_id": None,
    }
    return [("offers", again)]


def _assigned(task: Record, directory: Record) -> str | None:
    """The staff id of the LTS-C the CBO names in the Task's `assigned-ltsc` output."""
    for output in task.get("output") or []:
        codes = [c.get("code") for c in (output.get("type") or {}).get("coding") or []]
        reference = str((output.get("valueReference") or {}).get("reference") or "")
        if "assigned-ltsc" in codes and reference.startswith(ROLE_PREFIX):
            role_id = reference.removeprefix(ROLE_PREFIX)
            staff = [s["staff_id"] for s in directory.get("ltsc_staff") or []]
            return next((s for s in staff if resource_id("role", s) == role_id), None)
    return None


def _day(task: Record) -> str | None:
    period = task.get("executionPeriod") or {}
    moment = period.get("end") or period.get("start") or task.get("lastModified")
    return str(moment)[:10] if moment else None
