"""Care team membership (TEAM-DISCRETION, LTSC-CHANGE, STAFFING): who served when, never lost."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.rules.dates import iso, parse_date
from adapter.rules.directory import Directory

Record = dict[str, Any]
CONSENT_DENIED = "consent-denied"  # care_team[].end_reason: the member refused participation


def care_team(record: Record, directory: Directory, as_of: date) -> list[dict[str, Any]]:
    """CC and LTS-C participants with their periods; every past participant stays listed."""
    ccs = _started_by(record.get("care_coordinator_assignments"), as_of)
    rows = [_cc_row(a) for a in ccs]
    ltscs = _started_by(record.get("ltsc_assignments"), as_of)
    rows += [_ltsc_row(record, directory, a, as_of) for a in ltscs]
    return sorted(rows, key=lambda r: (r["start"] or "", r["role"], r["staff_id"]))


def _started_by(assignments: list[Record] | None, as_of: date) -> list[Record]:
    return [a for a in assignments or [] if (parse_date(a.get("start")) or as_of) <= as_of]


def _cc_row(assignment: Record) -> dict[str, Any]:
    return {
        "staff_id": assignment.get("staff_id"),
        "role": "cc",
        "start": assignment.get("start"),
        "end": assignment.get("end"),
        "consent_id": None,
        "end_reason": None,
        "consent_decision": None,
    }


def _ltsc_row(record: Record, directory: Directory, assignment: Record, as_of: date) -> dict:
    """An LTS-C's period; STAFFING: a CBO leaving the network ends its LTS-Cs' participation."""
    end, reason = parse_date(assignment.get("end")), assignment.get("end_reason")
    left = directory.contract_end(directory.cbo_of(assignment.get("staff_id")))
    if left and left <= as_of and (end is None or left < end):
        end, reason = left, "cbo-left-network"
    consent = member_consent(record, assignment.get("staff_id"), as_of)
    denied = parse_date(consent.get("date")) if consent.get("decision") == "deny" else None
    if denied and (end is None or denied < end):
        # TEAM-DISCRETION: the member's refusal ends the LTS-C's participation that day.
        end, reason = max(denied, parse_date(assignment.get("start")) or denied), CONSENT_DENIED
    return {
        "staff_id": assignment.get("staff_id"),
        "role": "ltsc",
        "start": assignment.get("start"),
        "end": iso(end),
        "consent_id": consent.get("consent_id"),
        "end_reason": reason,
        "consent_decision": consent.get("decision"),
    }


def member_consent(record: Record, staff_id: str | None, as_of: date) -> Record:
    """TEAM-DISCRETION: the member's latest decision about this LTS-C, as of `as_of`."""
    decisions = [
        c
        for c in record.get("consents") or []
        if c.get("staff_id") == staff_id and (parse_date(c.get("date")) or as_of) <= as_of
    ]
    decisions.sort(key=lambda c: (c.get("date") or "", c.get("consent_id") or ""))
    return decisions[-1] if decisions else {}


def ltsc_on(team: list[dict[str, Any]], day: date) -> str | None:
    """The LTS-C participating on `day` (the newer one on a hand-over day)."""
    current = [
        r
        for r in team
        if r["role"] == "ltsc"
        and (parse_date(r["start"]) or day) <= day
        and (r["end"] is None or day <= parse_date(r["end"]))
    ]
    return current[-1]["staff_id"] if current else None


def consent_states(record: Record, team: list[dict[str, Any]], as_of: date) -> list[dict[str, Any]]:
    """TEAM-DISCRETION: each recorded consent with whether it is still in force on `as_of`.

    A consent ends when a later decision about the same LTS-C replaces it, or when the LTS-C it
    names leaves the member's care team (`end` is that day)."""
    states = []
    consents = record.get("consents") or []
    for consent in consents:
        day, staff_id = parse_date(consent.get("date")), consent.get("staff_id")
        replaced = [
            parse_date(c.get("date"))
            for c in consents
            if c is not consent and c.get("staff_id") == staff_id
            and (c.get("date") or "", c.get("consent_id") or "")
            > (consent.get("date") or "", consent.get("consent_id") or "")
            and (parse_date(c.get("date")) or as_of) <= as_of
        ]  # fmt: skip
        ends = [d for d in replaced if d]
        rows = [r for r in team if r["role"] == "ltsc" and r["staff_id"] == staff_id]
        left = rows and all(r["end"] and parse_date(r["end"]) <= as_of for r in rows)
        if left and consent.get("decision") == "permit":
            ends.append(max(parse_date(r["end"]) for r in rows))
        end = min((d for d in ends if day is None or d >= day), default=None)
        states.append({**consent, "status": "inactive" if end else "active", "end": iso(end)})
    return states
