"""Checks across fields of one record: periods run forward, offer outcomes are complete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from adapter.records.references import present
from adapter.records.schema import RecordPath

# (list, start field, end field) inside a member record; `member.addresses` is handled apart.
MEMBER_PERIODS: tuple[tuple[str, str, str], ...] = (
    ("enrollments", "start", "end"),
    ("care_coordinator_assignments", "start", "end"),
    ("ltsc_assignments", "start", "end"),
    ("agency_involvement", "start", "end"),
    ("goals", "start", "target_date"),
)


def member_consistency_errors(record: dict[str, Any]) -> Iterator[tuple[RecordPath, str]]:
    """Problems no single field shows; `record` is schema-valid."""
    for list_name, start, end in MEMBER_PERIODS:
        for i, item in enumerate(record.get(list_name, [])):
            yield from _backwards((list_name, i), item.get(start), item.get(end), end, start)
    for i, address in enumerate(record["member"].get("addresses", [])):
        period = address["period"]
        where = ("member", "addresses", i, "period")
        yield from _backwards(where, period["start"], period.get("end"), "end", "start")
    for i, offer in enumerate(record.get("offers", [])):
        yield from _offer_errors(("offers", i), offer)


def plan_export_errors(record: dict[str, Any]) -> Iterator[tuple[RecordPath, str]]:
    """Rules for a plan's own care-management export (not for EHR documents, which name the
    care team as the EHR knows it): every member has a Care Coordinator (TEAM-DISCRETION)."""
    if not record.get("care_coordinator_assignments"):
        yield (
            ("care_coordinator_assignments",),
            ("is empty: a plan export names every member's Care Coordinator (TEAM-DISCRETION)"),
        )


def _backwards(
    path: RecordPath, start: str | None, end: str | None, end_name: str, start_name: str
) -> Iterator[tuple[RecordPath, str]]:
    # ISO dates compare correctly as text.
    if start and end and end < start:
        yield (*path, end_name), f"is before {start_name} ({end} < {start})"


def _offer_errors(path: RecordPath, offer: dict[str, Any]) -> Iterator[tuple[RecordPath, str]]:
    outcome, chosen = offer.get("outcome"), offer.get("chosen_staff_id")
    if outcome == "accepted" and not chosen:
        yield (*path, "chosen_staff_id"), "is required when the offer was accepted"
    if chosen and outcome != "accepted":
        yield (*path, "chosen_staff_id"), f"must be empty unless accepted (outcome {outcome})"
    if chosen and offer.get("choices") and chosen not in offer["choices"]:
        yield (*path, "chosen_staff_id"), f"{chosen!r} is not one of the choices offered"
    if outcome and not offer.get("outcome_date"):
        yield (*path, "outcome_date"), "is required when the offer has an outcome"
    if not outcome and offer.get("outcome_date"):
        yield (*path, "outcome"), "is required when the offer has an outcome date"
    if offer.get("outcome_date") and offer["outcome_date"] < offer["offered_on"]:
        yield (*path, "outcome_date"), "is before offered_on"


def directory_consistency_errors(directory: dict[str, Any]) -> Iterator[tuple[RecordPath, str]]:
    """CBO contracts and staff time off that end before they start."""
    for i, cbo in present(directory["cbos"]):
        contract = cbo["contract"]
        path = ("directory", "cbos", i, "contract")
        yield from _backwards(path, contract["start"], contract.get("end"), "end", "start")
    for kind in ("ltsc_staff", "care_coordinators"):
        for i, staff in present(directory[kind]):
            for j, period in enumerate(staff.get("time_off", [])):
                path = ("directory", kind, i, "time_off", j)
                yield from _backwards(path, period["start"], period["end"], "end", "start")
