"""evaluate_member: one member's records and directory in, the derived facts of the rules out."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.rules.care_team import care_team, consent_states
from adapter.rules.compliance import compliance_rows, compliance_summary
from adapter.rules.directory import Directory
from adapter.rules.notifications import (
    link_recorded,
    staffing_notifications,
    status_share_notifications,
)
from adapter.rules.offers import derive_offers
from adapter.rules.referrals import referrals
from adapter.rules.services import service_notifications, service_tasks
from adapter.rules.settings import RuleSettings
from adapter.rules.timeline import member_id
from adapter.rules.triggers import member_triggers

Record = dict[str, Any]


def evaluate_member(
    record: Record, directory: Record, as_of: date, settings: RuleSettings | None = None
) -> dict[str, Any]:
    """Offers, care team, notifications, service tasks and compliance on `as_of` (pure)."""
    settings = settings or RuleSettings()
    staff = Directory.of(directory)
    team = care_team(record, staff, as_of)
    offers = derive_offers(record, staff, member_triggers(record, as_of, settings), as_of)
    notes = [
        *status_share_notifications(record, team, as_of),
        *staffing_notifications(record, staff, team, as_of),
        *service_notifications(record, team, as_of),
    ]
    rows = compliance_rows(member_id(record), offers, as_of)
    return {
        "as_of": as_of.isoformat(),
        "offers": offers,
        "care_team": team,
        "consents": consent_states(record, team, as_of),
        "notifications": link_recorded(sorted(notes, key=_notification_order), record),
        "service_tasks": service_tasks(record, team, as_of),
        "referrals": referrals(record, staff, offers, team),
        "compliance": {
            **compliance_summary(rows),
            "days_overdue": max((r["days_overdue"] for r in rows), default=0),
            "rows": rows,
        },
    }


def _notification_order(note: dict[str, Any]) -> tuple[str, str]:
    return (note["sent"] or "", note["notification_key"])
