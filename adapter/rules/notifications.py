"""Notifications the rules require (STATUS-SHARE, STAFFING, LTSC-CHANGE, VENDOR-FILL, WAIT,
DENIED-ALT), each carrying the contact details CONTACT asks for."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.rules.care_team import ltsc_on
from adapter.rules.dates import iso, parse_date
from adapter.rules.directory import Directory, contact_line, display_name
from adapter.rules.timeline import care_coordinator_on, member_id

Record = dict[str, Any]
Team = list[dict[str, Any]]

STATUS_TOPICS = frozenset(
    {"hospitalization", "worsening-condition", "death", "address-change", "facility-stay"}
)
STAFFING_REASONS = frozenset({"staff-left", "cbo-left-network"})  # else the member chose
# A recorded Communication on the same topic sent within this many days of the event is taken
# to be the notification itself, so the mapping does not send it twice.
RECORDED_MATCH_DAYS = 7


def notification(
    key: str, topic: str, sent: date, sender: str | None, recipients: list[str | None], about: str
) -> dict[str, Any]:
    return {
        "notification_key": key,
        "topic": topic,
        "sent": iso(sent),
        "sender_staff_id": sender,
        "recipient_staff_ids": [r for r in recipients if r],
        "about": about,
        "text": "",
        "notify_member": False,
        "vendor_id": None,
        "recorded_communication_id": None,
    }


def status_share_notifications(record: Record, team: Team, as_of: date) -> list[dict[str, Any]]:
    """STATUS-SHARE: health-status and address changes go to the CC (to the LTS-C if the CC
    reported them)."""
    found = []
    for event in record.get("status_events") or []:
        day = parse_date(event.get("date"))
        if event.get("type") not in STATUS_TOPICS or day is None or day > as_of:
            continue
        cc, sender = care_coordinator_on(record, day), event.get("reported_by")
        recipient = ltsc_on(team, day) if sender and sender == cc else cc
        key = f"{member_id(record)}-status-{event.get('event_id')}"
        note = notification(key, event["type"], day, sender, [recipient], event.get("event_id"))
        note["text"] = _status_text(event)
        found.append(note)
    return found


def _status_text(event: Record) -> str:
    parts = [event["type"].replace("-", " ").capitalize(), f"on {event.get('date')}"]
    if event.get("facility_name"):
        parts.append(f"at {event['facility_name']}")
    text = " ".join(parts)
    return f"{text}: {event['description']}" if event.get("description") else text


def staffing_notifications(
    record: Record, directory: Directory, team: Team, as_of: date
) -> list[dict[str, Any]]:
    """STAFFING / LTSC-CHANGE: when an LTS-C's participation ends, the CC and the member learn
    who follows, with that LTS-C's name and contact (CONTACT)."""
    ltscs = [r for r in team if r["role"] == "ltsc"]
    ended = [
        r
        for r in ltscs
        if r["end"] and parse_date(r["end"]) <= as_of and r["end_reason"] != "consent-denied"
    ]
    return [_handover_note(record, directory, old, _successor(ltscs, old)) for old in ended]


def _handover_note(record: Record, directory: Directory, old: dict, new: dict | None) -> dict:
    """Sent when the new LTS-C starts (or when the old one left, if nobody follows yet)."""
    sent = max(parse_date(old["end"]), parse_date(new["start"])) if new else parse_date(old["end"])
    topic = "staffing-change" if old["end_reason"] in STAFFING_REASONS else "ltsc-change"
    key = f"{member_id(record)}-{topic}-{old['staff_id']}-{old['start']}"
    cc = care_coordinator_on(record, sent)
    note = notification(key, topic, sent, new and new["staff_id"], [cc], old["staff_id"])
    return note | {"text": _handover_text(directory, old, new), "notify_member": True}


def _successor(ltscs: Team, old: dict[str, Any]) -> dict[str, Any] | None:
    later = [r for r in ltscs if r["start"] and r["start"] > old["start"]]
    return later[0] if later else None


def _handover_text(directory: Directory, old: dict, new: dict | None) -> str:
    old_name = display_name(directory.staff.get(old["staff_id"], {})) or old["staff_id"]
    reason = (old["end_reason"] or "change").replace("-", " ")
    text = f"{old_name} stopped serving as LTS-C on {old['end']} ({reason})."
    if new is None:
        return f"{text} No new LTS-C is assigned yet; the member may be offered one."
    staff = directory.staff.get(new["staff_id"], {"staff_id": new["staff_id"]})
    contact = contact_line(staff, directory.cbo_of(new["staff_id"]))
    return f"{text} New LTS-C from {new['start']}: {contact}."


def link_recorded(notes: list[dict[str, Any]], record: Record) -> list[dict[str, Any]]:
    """Mark each notification the plan already recorded as a Communication (first match wins)."""
    unused = sorted(record.get("communications") or [], key=lambda c: c.get("sent") or "")
    linked = []
    for note in notes:
        match = next((c for c in unused if _same_message(note, c)), None)
        if match:
            unused.remove(match)
        linked.append(note | {"recorded_communication_id": (match or {}).get("communication_id")})
    return linked


def _same_message(note: dict[str, Any], communication: Record) -> bool:
    sent, noted = parse_date(communication.get("sent")), parse_date(note["sent"])
    if communication.get("topic") != note["topic"] or sent is None or noted is None:
        return False
    return 0 <= (sent - noted).days <= RECORDED_MATCH_DAYS
