"""The LTS-C referral to the chosen CBO (CHOICE, TEAM-DISCRETION, STAFFING): once the member
accepts an offer, the plan refers the member to the chosen LTS-C's CBO, Gravity-style (a
ServiceRequest and a `fulfill` Task the CBO owns).

What the CBO does with the referral (accept with the assigned LTS-C, reject, complete) is the
CBO's to record on its Task; the plan's record only says when the LTS-C stopped serving, which
ends the referral: completed when the member chose another LTS-C, cancelled when the LTS-C or
the CBO left.
"""

from __future__ import annotations

from typing import Any

from adapter.rules.directory import Directory

Record = dict[str, Any]
# STAFFING / LTSC-CHANGE: why an LTS-C stopped serving -> the referral Task's final status.
ENDINGS = {
    "member-choice": ("completed", None),
    "staff-left": ("cancelled", "the LTS-C left the CBO"),
    "cbo-left-network": ("cancelled", "the CBO left the plan's network"),
}
OPEN_GOALS = ("proposed", "active", "on-hold")


def referrals(
    record: Record, directory: Directory, offers: list[Record], team: list[Record]
) -> list[dict[str, Any]]:
    """One referral per accepted offer whose chosen LTS-C the directory places in a CBO."""
    found = []
    for offer in offers:
        staff_id = offer.get("chosen_staff_id")
        cbo_id = directory.cbo_of(staff_id).get("cbo_id") if staff_id else None
        if offer.get("outcome") != "accepted" or not cbo_id:
            continue
        row = _team_row(team, staff_id, offer.get("outcome_date"))
        status, reason = "requested", None
        if row and row.get("end") and row.get("end_reason") in ENDINGS:
            status, reason = ENDINGS[row["end_reason"]]
        found.append(
            {
                "referral_key": offer["offer_key"],
                "source_offer_id": offer.get("source_offer_id") or offer["offer_key"],
                "cbo_id": cbo_id,
                "chosen_staff_id": staff_id,
                "requester_staff_id": offer.get("owner_staff_id"),
                "authored_on": offer.get("outcome_date"),
                "consent_id": (row or {}).get("consent_id"),
                "goal_ids": _open_goals(record),
                "status": status,
                "status_reason": reason,
                # A finished referral names who served and when (Task table A).
                "assigned_staff_id": staff_id if status != "requested" else None,
                "started_on": row.get("start") if row and status != "requested" else None,
                "ended_on": row.get("end") if row and status != "requested" else None,
            }
        )
    return found


def _team_row(team: list[Record], staff_id: str, since: str | None) -> Record | None:
    rows = [
        r
        for r in team
        if r["role"] == "ltsc" and r["staff_id"] == staff_id and (r["start"] or "") >= (since or "")
    ]
    return rows[0] if rows else None


def _open_goals(record: Record) -> list[str]:
    return [g["goal_id"] for g in record.get("goals") or [] if g.get("status") in OPEN_GOALS]
