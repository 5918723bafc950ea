"""Offer triggers: one function per One Care rule that says an LTS-C must be offered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adapter.rules.dates import add_days, add_years, days_between, iso, parse_date
from adapter.rules.settings import RuleSettings
from adapter.rules.timeline import (
    Episode,
    assignment_on,
    date_of_death,
    enrollment_episodes,
    episode_on,
    rating_on,
)

Record = dict[str, Any]

# Catalogue order; also breaks ties between triggers on the same day.
TRIGGER_CODES = (
    "OFFER-90",
    "OFFER-ANNUAL",
    "AVAIL-ASSESS",
    "AVAIL-LTSS",
    "AVAIL-AGENCY",
    "AVAIL-INSTITUTION",
    "AVAIL-REQUEST",
)
OFFER_WINDOW_DAYS = 90  # OFFER-90
ASSESS_RATINGS = frozenset({"C3", "F1"})  # AVAIL-ASSESS
AGENCY_SERVICES = {  # AVAIL-AGENCY: (agency, service) pairs; None = any agency
    ("DMH", "targeted-case-management"),
    ("DDS", "targeted-case-management"),
    ("DMH", "rehabilitation"),
    (None, "affiliation"),
}


@dataclass(frozen=True)
class Trigger:
    """A fact that obliges the plan to offer an LTS-C, with the day it must be offered by."""

    code: str
    date: date
    due: date
    source_id: str  # stable under date corrections: it names the record, not the day

    def sort_key(self) -> tuple[date, int, str]:
        return (self.date, TRIGGER_CODES.index(self.code), self.source_id)

    def as_fact(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "date": iso(self.date),
            "source_id": self.source_id,
            "due": iso(self.due),
        }


def offer_90_triggers(episodes: list[Episode]) -> list[Trigger]:
    """OFFER-90: each enrollment episode (a re-enrollment after a gap too) opens a 90-day window."""
    return [
        Trigger("OFFER-90", e.start, add_days(e.start, OFFER_WINDOW_DAYS), f"enrollment-{e.number}")
        for e in episodes
    ]


def offer_annual_triggers(
    record: Record, episodes: list[Episode], as_of: date, settings: RuleSettings
) -> list[Trigger]:
    """OFFER-ANNUAL: one re-offer per enrollment year, due at that year's annual assessment."""
    annual = _annual_assessments_by_cycle(record, episodes)
    triggers = []
    for episode in episodes:
        year = 1
        while _anniversary_reached(episode, year, as_of, settings):
            anniversary = add_years(episode.start, year)
            opens = add_days(anniversary, -settings.annual_offer_lead_days)
            assessed = annual.get((episode.number, year))
            due = assessed or anniversary
            source = f"enrollment-{episode.number}-year-{year + 1}"
            triggers.append(Trigger("OFFER-ANNUAL", min(opens, due), due, source))
            year += 1
    return triggers


def _anniversary_reached(episode: Episode, year: int, as_of: date, settings: RuleSettings) -> bool:
    anniversary = add_years(episode.start, year)
    opens = add_days(anniversary, -settings.annual_offer_lead_days)
    return opens <= as_of and (episode.end is None or anniversary <= episode.end)


def _annual_assessments_by_cycle(
    record: Record, episodes: list[Episode]
) -> dict[tuple[int, int], date]:
    """Annual assessments keyed by (episode, enrollment year) of the nearest anniversary."""
    by_cycle: dict[tuple[int, int], date] = {}
    for assessment in record.get("assessments") or []:
        day = parse_date(assessment.get("date"))
        episode = episode_on(episodes, day) if day else None
        if assessment.get("kind") != "annual" or episode is None:
            continue
        year = max(1, round(days_between(episode.start, day) / 365.25))
        by_cycle.setdefault((episode.number, year), day)
    return by_cycle


def avail_assess_triggers(record: Record) -> list[Trigger]:
    """AVAIL-ASSESS: an assessment of a C3/F1 member, or one where the member asked for an LTS-C."""
    triggers = []
    for assessment in record.get("assessments") or []:
        day = parse_date(assessment.get("date"))
        if day is None:
            continue
        rating = assessment.get("rating_category") or rating_on(record, day)
        if rating in ASSESS_RATINGS or assessment.get("ltsc_requested"):
            source = f"assessment-{assessment.get('assessment_id')}"
            triggers.append(Trigger("AVAIL-ASSESS", day, day, source))
    return triggers


def avail_ltss_triggers(record: Record, settings: RuleSettings) -> list[Trigger]:
    """AVAIL-LTSS: a community LTSS or behavioral-health need seen by the member or care team."""
    return [
        _prompt_trigger("AVAIL-LTSS", day, f"need-{need.get('need_id')}", settings)
        for need, day in _dated(record.get("ltss_needs"), "identified_on")
    ]


def avail_agency_triggers(record: Record, settings: RuleSettings) -> list[Trigger]:
    """AVAIL-AGENCY: DMH/DDS targeted case management, DMH rehabilitation, any state affiliation."""
    triggers: list[Trigger] = []
    for item in record.get("agency_involvement") or []:
        agency, service = item.get("agency"), item.get("service")
        if (agency, service) not in AGENCY_SERVICES and (None, service) not in AGENCY_SERVICES:
            continue
        day = parse_date(item.get("identified_on") or item.get("start"))
        if day is None:
            continue
        source = _unique(f"agency-{agency}-{service}".lower(), {t.source_id for t in triggers})
        triggers.append(_prompt_trigger("AVAIL-AGENCY", day, source, settings))
    return triggers


def avail_institution_triggers(record: Record) -> list[Trigger]:
    """AVAIL-INSTITUTION: a contemplated admission; due the day before the expected admission."""
    triggers = []
    for admission in record.get("institutional_admissions") or []:
        day = parse_date(admission.get("identified_on"))
        expected = parse_date(admission.get("expected_date"))
        if day is None:
            continue
        due = max(day, add_days(expected, -1)) if expected else day
        source = f"admission-{admission.get('admission_id')}"
        triggers.append(Trigger("AVAIL-INSTITUTION", day, due, source))
    return triggers


def avail_request_triggers(record: Record, settings: RuleSettings) -> list[Trigger]:
    """AVAIL-REQUEST: the member asked for an LTS-C at any other time."""
    return [
        _prompt_trigger("AVAIL-REQUEST", day, f"request-{request.get('request_id')}", settings)
        for request, day in _dated(record.get("ltsc_requests"), "date")
    ]


def member_triggers(record: Record, as_of: date, settings: RuleSettings) -> list[Trigger]:
    """Every trigger in force on `as_of`, oldest first."""
    episodes = enrollment_episodes(record)
    found = [
        *offer_90_triggers(episodes),
        *offer_annual_triggers(record, episodes, as_of, settings),
        *avail_assess_triggers(record),
        *avail_ltss_triggers(record, settings),
        *avail_agency_triggers(record, settings),
        *avail_institution_triggers(record),
        *avail_request_triggers(record, settings),
    ]
    kept = [t for t in found if _in_force(t, record, episodes, as_of)]
    return sorted(kept, key=Trigger.sort_key)


def _in_force(trigger: Trigger, record: Record, episodes: list[Episode], as_of: date) -> bool:
    """Known by `as_of`, while enrolled and alive, and while no LTS-C is already assigned."""
    died = date_of_death(record)
    return (
        trigger.date <= as_of
        and episode_on(episodes, trigger.date) is not None
        and (died is None or trigger.date <= died)
        and assignment_on(record.get("ltsc_assignments") or [], trigger.date) is None
    )


def _prompt_trigger(code: str, day: date, source: str, settings: RuleSettings) -> Trigger:
    return Trigger(code, day, add_days(day, settings.request_offer_days), source)


def _dated(rows: list[Record] | None, field: str) -> list[tuple[Record, date]]:
    return [(row, day) for row in rows or [] if (day := parse_date(row.get(field)))]


def _unique(source: str, taken: set[str]) -> str:
    n, candidate = 2, source
    while candidate in taken:
        candidate, n = f"{source}-{n}", n + 1
    return candidate
