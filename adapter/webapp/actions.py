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


OFFER_TRIGGERS = (
    "OFFER-90", "OFFER-ANNUAL", "AVAIL-ASSESS", "AVAIL-LTSS", "AVAIL-AGENCY",
    "AVAIL-INSTITUTION", "AVAIL-REQUEST",
)  # fmt: skip
SHORTFALL_REASONS = ("fewer-than-two-cbos", "member-requested-specific", "no-cbo-in-area")
MIN_CHOICES = 2  # CHOICE-TWO


def new_offer(form: Form, offerable: Mapping[str, str], offer_id: str | None = None) -> Record:
    """CHOICE-TWO: an offer of at least two LTS-Cs from different CBOs, or fewer with the
    reason why; `offerable` maps each LTS-C who may be offered to their CBO."""
    problems: list[Issue] = []
    trigger = _require(form, "trigger", "Why the offer is made", problems)
    if trigger and trigger not in OFFER_TRIGGERS:
        problems.append(Issue("error", "value", "Choose a reason from the list", ("trigger",)))
    day = _date(form, "offered_on", "Date of the offer", problems)
    choices = _form_list(form, "choices")
    if any(c not in offerable for c in choices):
        problems.append(Issue("error", "value", "Choose LTS-Cs from the list", ("choices",)))
    reason = (form.get("fewer_choices_reason") or "").strip() or None
    _check_two_choices(choices, reason, offerable, problems)
    _raise_if(problems)
    return {
        "offer_id": offer_id or f"WEB-{secrets.token_hex(6).upper()}",
        "trigger": trigger,
        "offered_on": day,
        "choices": choices,
        "fewer_choices_reason": reason if len(choices) < MIN_CHOICES else None,
        "outcome": None,
        "outcome_date": None,
        "chosen_staff_id": None,
    }


def _check_two_choices(
    choices: list[str], reason: str | None, offerable: Mapping[str, str], problems: list[Issue]
) -> None:
    if len(choices) < MIN_CHOICES and reason not in SHORTFALL_REASONS:
        text = "Offer at least two LTS-Cs (CHOICE-TWO), or say why fewer are offered"
        problems.append(Issue("error", "required", text, ("choices",)))
    cbos = [offerable.get(c) for c in choices]
    if len(choices) >= MIN_CHOICES and len(set(cbos)) < MIN_CHOICES:
        text = "Offer LTS-Cs from at least two different CBOs (CHOICE-TWO)"
        problems.append(Issue("error", "value", text, ("choices",)))


def _form_list(form: Form, name: str) -> list[str]:
    values = form.getlist(name) if hasattr(form, "getlist") else [form.get(name) or ""]
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def alternative_found(
    record: Record, form: Form, reporter_staff_id: str, service_types: Mapping[str, str]
) -> Record:
    """DENIED-ALT: the alternative the CC and LTS-C found for a denied service, recommended
    for authorization; the search Task completes when the plan records it."""
    problems: list[Issue] = []
    denied = find_item(
        record, "service_recommendations", ((form.get("recommendation_id") or "").strip(),)
    )
    if denied is None or (denied.get("authorization") or {}).get("decision") != "denied":
        raise FormError("unknown service", issues=[Issue("error", "not-found", "No such service")])
    kind = _require(form, "service_type", "The alternative service", problems)
    if kind and kind not in service_types:
        problems.append(
            Issue("error", "value", "Choose a service from the list", ("service_type",))
        )
    day = _date(form, "date", "Date", problems)
    note = (form.get("note") or "").strip() or None
    _raise_if(problems)
    return {
        "recommendation_id": f"WEB-{secrets.token_hex(6).upper()}",
        "service_type": kind,
        "recommended_on": day,
        "recommended_by": reporter_staff_id,
        "goal_ids": list(denied.get("goal_ids") or []),
        "quantity": None,
        "note": note,
        "self_directed": False,
        "authorization": {
            "decision": "pending",
            "decided_on": None,
            "reason": None,
            "authorization_id": None,
        },
        "vendor_id": None,
        "expected_start": None,
        "wait_list": None,
        "fulfillment_status": "pending",
        "alternative_for": denied["recommendation_id"],
    }
