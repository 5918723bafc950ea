"""What a web form asks for, as the member-record event the member service applies.

Every action goes through `MemberService.apply_event`: the same rules, mapping, profile
validation and atomic store write (with its outbox deliveries) as any other write.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from typing import Any

from adapter.errors import Unprocessable
from adapter.outcome import Issue
from adapter.services.events import find_item

Record = dict[str, Any]
Form = Mapping[str, str]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OFFER_OUTCOMES = ("accepted", "declined", "no-response")  # CHOICE
STATUS_EVENT_TYPES = (
    "hospitalization", "worsening-condition", "death", "address-change", "facility-stay",
)  # fmt: skip
SERVICE_ACTIONS = (
    "authorize", "deny", "vendor-identified", "wait-listed", "in-service", "completed",
)  # fmt: skip


class FormError(Unprocessable):
    """A form value is missing or malformed; `issues` name the form fields."""


def _require(form: Form, name: str, label: str, problems: list[Issue]) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        problems.append(Issue("error", "required", f"{label} is required", (name,)))
    return value


def _date(form: Form, name: str, label: str, problems: list[Issue]) -> str:
    value = _require(form, name, label, problems)
    if value and not is_date(value):
        problems.append(Issue("error", "value", f"{label} must be a date (YYYY-MM-DD)", (name,)))
    return value


def is_date(value: str) -> bool:
    if not DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _raise_if(problems: list[Issue]) -> None:
    if problems:
        raise FormError("please correct the form", issues=problems)


def offer_decision(record: Record, form: Form) -> Record:
    """CHOICE: the member accepted (naming the LTS-C chosen), declined, or did not answer."""
    problems: list[Issue] = []
    offer = find_item(record, "offers", ((form.get("offer_id") or "").strip(),))
    if offer is None:
        raise FormError("unknown offer", issues=[Issue("error", "not-found", "No such offer")])
    outcome = _require(form, "outcome", "The member's decision", problems)
    if outcome and outcome not in OFFER_OUTCOMES:
        problems.append(Issue("error", "value", "Choose a decision from the list", ("outcome",)))
    day = _date(form, "outcome_date", "Date of the decision", problems)
    chosen = (form.get("chosen_staff_id") or "").strip() or None
    if outcome == "accepted" and chosen not in (offer.get("choices") or []):
        problems.append(
            Issue("error", "required", "Choose the LTS-C the member accepted", ("chosen_staff_id",))
        )
    _raise_if(problems)
    return {
        **offer,
        "outcome": outcome,
        "outcome_date": day,
        "chosen_staff_id": chosen if outcome == "accepted" else None,
    }


def service_update(record: Record, form: Form, vendor_ids: set[str]) -> Record:
    """RECOMMEND, DENIED-ALT, VENDOR-FILL, WAIT: the recommendation after the update."""
    problems: list[Issue] = []
    item = find_item(
        record, "service_recommendations", ((form.get("recommendation_id") or "").strip(),)
    )
    if item is None:
        raise FormError("unknown service", issues=[Issue("error", "not-found", "No such service")])
    action = _require(form, "action", "What happened", problems)
    if action and action not in SERVICE_ACTIONS:
        problems.append(Issue("error", "value", "Choose an update from the list", ("action",)))
    day = _date(form, "date", "Date", problems)
    _raise_if(problems)
    updated = _updated_service(dict(item), action, day, form, vendor_ids, problems)
    _raise_if(problems)
    return updated


def _updated_service(
    item: Record, action: str, day: str, form: Form, vendor_ids: set[str], problems: list[Issue]
) -> Record:
    if action in ("authorize", "deny"):
        reason = (form.get("reason") or "").strip() or None
        if action == "deny" and not reason:
            problems.append(Issue("error", "required", "Give the denial's reason", ("reason",)))
        decision = "approved" if action == "authorize" else "denied"
        item["authorization"] = {
            **item["authorization"], "decision": decision, "decided_on": day, "reason": reason,
        }  # fmt: skip
        return item
    if action == "vendor-identified":
        vendor = (form.get("vendor_id") or "").strip()
        start = _date(form, "expected_start", "Expected start date", problems)
        if vendor not in vendor_ids:
            problems.append(Issue("error", "required", "Choose the vendor", ("vendor_id",)))
        item.update(vendor_id=vendor, expected_start=start, wait_list=None)
    elif action == "wait-listed":
        reason = _require(form, "reason", "Reason for the wait list", problems)
        item["wait_list"] = {"since": day, "reason": reason}
    item["fulfillment_status"] = action
    return item


def status_event(form: Form, reporter_staff_id: str) -> Record:
    """STATUS-SHARE: a change in the member's health or address, reported to the CC."""
    problems: list[Issue] = []
    kind = _require(form, "type", "What changed", problems)
    if kind and kind not in STATUS_EVENT_TYPES:
        problems.append(Issue("error", "value", "Choose what changed from the list", ("type",)))
    day = _date(form, "date", "Date", problems)
    address = _address(form, problems) if kind in ("address-change", "facility-stay") else None
    _raise_if(problems)
    return {
        "event_id": f"WEB-{secrets.token_hex(6).upper()}",
        "type": kind,
        "date": day,
        "reported_by": reporter_staff_id,
        "description": (form.get("description") or "").strip() or None,
        "facility_name": (form.get("facility_name") or "").strip() or None,
        "address": address,
    }


def _address(form: Form, problems: list[Issue]) -> Record:
    line = _require(form, "address_line", "Street address", problems)
    city = _require(form, "city", "City or town", problems)
    postal = _require(form, "postal_code", "ZIP code", problems)
    if postal and not re.match(r"^\d{5}(-\d{4})?$", postal):
        problems.append(Issue("error", "value", "ZIP code must be 5 digits", ("postal_code",)))
    return {
        "line": [line],
        "city": city,
        "county": None,
        "state": (form.get("state") or "MA").strip().upper() or "MA",
        "postal_code": postal,
    }
