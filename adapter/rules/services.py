"""The service loop (RECOMMEND, DENIED-ALT, VENDOR-FILL, WAIT): Tasks and CC notifications
for each LTS-C recommendation."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapter.rules.care_team import ltsc_on
from adapter.rules.dates import parse_date
from adapter.rules.notifications import notification
from adapter.rules.timeline import care_coordinator_on, member_id

Record = dict[str, Any]
Team = list[dict[str, Any]]

# Authorization decision -> (Task.status, businessStatus); Task table B.
AUTHORIZATION_STATES = {
    "pending": ("requested", "pending-authorization"),
    "approved": ("completed", "authorized"),
    "denied": ("rejected", "denied"),
}
# Table B: a denial needs a reason; the plan's record may not give one.
DENIED_REASON = "authorization denied; the plan gave no reason"
# Fulfillment statuses whose work has begun (executionPeriod.start).
_STARTED = ("in-progress", "completed")
# Fulfillment status -> (Task.status, businessStatus); Task table A.
FULFILLMENT_STATES = {
    "pending": ("requested", "authorized"),
    "vendor-identified": ("accepted", "vendor-identified"),
    "wait-listed": ("on-hold", "wait-listed"),
    "in-service": ("in-progress", "in-service"),
    "completed": ("completed", "completed"),
    "cancelled": ("cancelled", "cancelled"),
}


def service_task(rec: Record, kind: str, status: str, business: str, **extra: Any) -> dict:
    """One service Task fact; `rec` carries the member id under `member_id`."""
    base = {
        "task_key": f"{rec['member_id']}-{rec.get('recommendation_id')}-{kind}",
        "kind": kind,
        "recommendation_id": rec.get("recommendation_id"),
        "status": status,
        "business_status": business,
        "status_reason": None,
        "owner": {"kind": "plan"},
        "requester_staff_id": rec.get("recommended_by"),
        "authored_on": rec.get("recommended_on"),
        "expected_start": None,
        "vendor_id": None,
        "ltsc_staff_id": None,
        # executionPeriod: when the work started and ended, as far as the record says.
        "started_on": None,
        "ended_on": None,
        # What the finished work produced: "order" (the authorized ServiceRequest) or
        # "procedure" (the service delivered); Task.output `resulting-activity`.
        "resulting": None,
        # GOALS: the member's goals the recommended service serves.
        "goal_ids": list(rec.get("goal_ids") or []),
    }
    return base | extra


def service_tasks(record: Record, team: Team, as_of: date) -> list[dict[str, Any]]:
    """RECOMMEND: an authorization Task per recommendation, then what its decision requires."""
    tasks: list[dict[str, Any]] = []
    replaced = {r.get("alternative_for") for r in record.get("service_recommendations") or []}
    for raw in record.get("service_recommendations") or []:
        if (parse_date(raw.get("recommended_on")) or as_of) > as_of:
            continue
        rec = raw | {"member_id": member_id(record)}
        tasks.append(_authorization_task(rec))
        decision = (rec.get("authorization") or {}).get("decision")
        if decision == "approved":
            tasks.append(_fulfillment_task(record, rec))
        if decision == "denied":
            tasks.append(_alternative_search_task(record, team, rec, replaced, as_of))
        if rec.get("wait_list"):
            tasks.append(_interim_alternative_task(record, team, rec, as_of))
    return tasks


def _authorization_task(rec: Record) -> dict[str, Any]:
    auth = rec.get("authorization") or {}
    status, business = AUTHORIZATION_STATES.get(
        auth.get("decision"), AUTHORIZATION_STATES["pending"]
    )
    decided = auth.get("decided_on") if status != "requested" else None
    return service_task(
        rec,
        "authorization",
        status,
        business,
        status_reason=auth.get("reason") or (DENIED_REASON if status == "rejected" else None),
        started_on=rec.get("recommended_on") if decided else None,
        ended_on=decided,
        resulting="order" if status == "completed" else None,
    )


def _fulfillment_task(record: Record, rec: Record) -> dict[str, Any]:
    """VENDOR-FILL / WAIT: the vendor owns fulfillment; the CC requested it once authorized."""
    decided = (rec.get("authorization") or {}).get("decided_on")
    status, business = FULFILLMENT_STATES.get(
        rec.get("fulfillment_status"), ("requested", "authorized")
    )
    wait = rec.get("wait_list") or {}
    vendor = rec.get("vendor_id")
    return service_task(
        rec,
        "fulfillment",
        status,
        business,
        status_reason=wait.get("reason") if status == "on-hold" else None,
        owner={"kind": "vendor", "vendor_id": vendor} if vendor else {"kind": "plan"},
        requester_staff_id=_cc_on(record, decided),
        authored_on=decided,
        expected_start=rec.get("expected_start"),
        vendor_id=vendor,
        started_on=(rec.get("expected_start") or decided) if status in _STARTED else None,
        resulting="procedure" if status == "completed" else None,
        service_type=rec.get("service_type"),
    )


def _alternative_search_task(
    record: Record, team: Team, rec: Record, replaced: set, as_of: date
) -> dict[str, Any]:
    """DENIED-ALT: CC and LTS-C look for an alternative until one is recommended."""
    auth = rec.get("authorization") or {}
    found = rec.get("recommendation_id") in replaced
    return service_task(
        rec,
        "alternative-search",
        "completed" if found else "requested",
        "denied",
        status_reason=auth.get("reason"),
        owner={"kind": "care-coordinator", "staff_id": _cc_on(record, auth.get("decided_on"))},
        authored_on=auth.get("decided_on"),
        ltsc_staff_id=ltsc_on(team, as_of) or rec.get("recommended_by"),
    )


def _interim_alternative_task(record: Record, team: Team, rec: Record, as_of: date) -> dict:
    """WAIT: while wait-listed, the CC (with the current LTS-C) considers interim alternatives."""
    wait = rec.get("wait_list") or {}
    still_waiting = rec.get("fulfillment_status") == "wait-listed"
    return service_task(
        rec,
        "interim-alternative",
        "requested" if still_waiting else "completed",
        "wait-listed" if still_waiting else rec.get("fulfillment_status") or "wait-listed",
        status_reason=wait.get("reason"),
        owner={"kind": "care-coordinator", "staff_id": _cc_on(record, wait.get("since"))},
        authored_on=wait.get("since"),
        ltsc_staff_id=ltsc_on(team, as_of) if still_waiting else None,
    )


def service_notifications(record: Record, team: Team, as_of: date) -> list[dict[str, Any]]:
    """DENIED-ALT tells the LTS-C; VENDOR-FILL and WAIT tell the CC."""
    found = []
    for rec in record.get("service_recommendations") or []:
        key = f"{member_id(record)}-{rec.get('recommendation_id')}"
        notes = (_denial_note(record, team, rec, key), _vendor_fill_note(record, rec, key))
        found += [n for n in (*notes, _wait_note(record, rec, key)) if n]
    return [n for n in found if n["sent"] <= as_of.isoformat()]


def _denial_note(record: Record, team: Team, rec: Record, key: str) -> dict | None:
    auth = rec.get("authorization") or {}
    day = parse_date(auth.get("decided_on"))
    if auth.get("decision") != "denied" or day is None:
        return None
    ltsc = ltsc_on(team, day) or rec.get("recommended_by")
    cc = care_coordinator_on(record, day)
    note = notification(
        f"{key}-denied", "service-denied", day, cc, [ltsc], rec["recommendation_id"]
    )
    note["text"] = (
        f"{rec.get('service_type')} was denied: {auth.get('reason') or 'no reason given'}."
    )
    return note


def _vendor_fill_note(record: Record, rec: Record, key: str) -> dict | None:
    day = parse_date((rec.get("authorization") or {}).get("decided_on"))
    if not (rec.get("vendor_id") and rec.get("expected_start") and day):
        return None
    cc = care_coordinator_on(record, day)
    note = notification(
        f"{key}-vendor-fill", "vendor-fill", day, None, [cc], rec["recommendation_id"]
    )
    note["text"] = (
        f"{rec.get('service_type')}: vendor {rec['vendor_id']} expects to start on "
        f"{rec['expected_start']}."
    )
    note["vendor_id"] = rec["vendor_id"]
    return note


def _wait_note(record: Record, rec: Record, key: str) -> dict | None:
    wait = rec.get("wait_list") or {}
    day = parse_date(wait.get("since"))
    if day is None:
        return None
    cc = care_coordinator_on(record, day)
    note = notification(f"{key}-wait-list", "wait-list", day, None, [cc], rec["recommendation_id"])
    note["text"] = (
        f"{rec.get('service_type')} is wait-listed: {wait.get('reason') or 'no reason given'}."
    )
    return note


def _cc_on(record: Record, day: str | date | None) -> str | None:
    parsed = parse_date(day)
    return care_coordinator_on(record, parsed) if parsed else None
