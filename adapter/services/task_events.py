"""A CBO's or vendor's update of one of our Tasks, read back as a member-record event item.

Staff and vendor ids come back as the references carry them (`PractitionerRole/role-{id}`,
`Organization/vendor-{id}`, lowercased like every resource id); `MemberService.
apply_task_update` resolves them against the plan's directory.
"""

from __future__ import annotations

from typing import Any

from adapter.canonical import code_system_url, identifier_system, profile_url

Record = dict[str, Any]

OFFER_PROFILE = profile_url("ltsc-offer-task")
SERVICE_PROFILE = profile_url("ltss-service-task")
SOURCE_RECORD = identifier_system("source-record")
IO_TYPE = code_system_url("task-io-type")
OFFER_OUTCOMES = ("accepted", "declined", "no-response")  # CHOICE
SERVICE_TASK_KINDS = ("authorization", "fulfillment", "alternative-search", "interim-alternative")
# service-business-status -> the recommendation's fulfillment_status (VENDOR-FILL, WAIT, ...)
FULFILLMENT = {
    "vendor-identified": "vendor-identified",
    "wait-listed": "wait-listed",
    "in-service": "in-service",
    "completed": "completed",
    "cancelled": "cancelled",
}


def task_update_event(task: Record) -> tuple[str, Record] | None:
    """("offers" | "service_recommendations", item) for an update the rules must hear about;
    None for any other Task or a change the plan record does not carry."""
    profiles = (task.get("meta") or {}).get("profile") or []
    if OFFER_PROFILE in profiles:
        return _offer_event(task)
    if SERVICE_PROFILE in profiles:
        return _service_event(task)
    return None


def task_member_id(task: Record) -> str | None:
    """The plan member id in the Task's source-record identifier (`{member_id}/{record id}`)."""
    source = _source_record(task)
    return source[0] if source else None


def _source_record(task: Record) -> tuple[str, str] | None:
    for identifier in task.get("identifier") or []:
        if identifier.get("system") == SOURCE_RECORD and "/" in str(identifier.get("value")):
            member_id, _, record_id = identifier["value"].partition("/")
            return member_id, record_id
    return None


def _offer_event(task: Record) -> tuple[str, Record] | None:
    """CHOICE: a completed offer Task with the member's decision becomes the plan's offer."""
    source, outcome = _source_record(task), _output_code(task, "offer-decision")
    if task.get("status") != "completed" or source is None or outcome not in OFFER_OUTCOMES:
        return None
    decided_on = _decision_date(task)
    chosen = _reference_id(_output(task, "chosen-ltsc"), "PractitionerRole/role-")
    item = {
        "offer_id": source[1],
        "trigger": _first_code(task.get("reasonCode")),
        "offered_on": (task.get("executionPeriod") or {}).get("start") or decided_on,
        "choices": [_reference_id(i, "PractitionerRole/role-") for i in _inputs(task)],
        "fewer_choices_reason": _shortfall(task),
        "outcome": outcome,
        "outcome_date": decided_on,
        "chosen_staff_id": chosen if outcome == "accepted" else None,
    }
    return "offers", item


def _service_event(task: Record) -> tuple[str, Record] | None:
    """RECOMMEND, DENIED-ALT, VENDOR-FILL, WAIT: the Task's business status on its service."""
    recommendation_id = _recommendation_id(task)
    status = _first_code(task.get("businessStatus"))
    if recommendation_id is None or status is None:
        return None
    item: Record = {"recommendation_id": recommendation_id}
    reason = (task.get("statusReason") or {}).get("text")
    if status in ("authorized", "denied"):
        decision = "approved" if status == "authorized" else "denied"
        item["authorization"] = {"decision": decision, "decided_on": _decision_date(task)}
        if status == "denied":
            item["authorization"]["reason"] = reason
    elif status in FULFILLMENT:
        item["fulfillment_status"] = FULFILLMENT[status]
        item.update(_fulfillment_details(task, status, reason))
    else:
        return None
    return "service_recommendations", item


def _fulfillment_details(task: Record, status: str, reason: str | None) -> Record:
    if status == "vendor-identified":
        vendor = _output(task, "vendor") or (task.get("owner") or {})
        start = (task.get("restriction") or {}).get("period", {}).get("start")
        return {
            "vendor_id": _reference_id(vendor, "Organization/vendor-"),
            "expected_start": start or _output_value(task, "expected-start", "valueDate"),
        }
    if status == "wait-listed":
        return {"wait_list": {"since": _decision_date(task), "reason": reason or "not given"}}
    return {}


def _recommendation_id(task: Record) -> str | None:
    """The recommendation in a task key `{member_id}-{recommendation_id}-{kind}`."""
    source = _source_record(task)
    if source is None:
        return None
    member_id, key = source
    for kind in SERVICE_TASK_KINDS:
        prefix, suffix = f"{member_id}-", f"-{kind}"
        if key.startswith(prefix) and key.endswith(suffix) and len(key) > len(prefix + suffix):
            return key[len(prefix) : -len(suffix)]
    return None


def _decision_date(task: Record) -> str | None:
    """When the update happened: the execution's end, else the Task's last modification."""
    moment = (task.get("executionPeriod") or {}).get("end") or task.get("lastModified")
    return str(moment)[:10] if moment else None


def _typed(entries: list[Record] | None, code: str) -> list[Record]:
    return [
        e
        for e in entries or []
        if any(
            c.get("system") == IO_TYPE and c.get("code") == code
            for c in (e.get("type") or {}).get("coding") or []
        )
    ]


def _inputs(task: Record) -> list[Record]:
    return [i.get("valueReference") or {} for i in _typed(task.get("input"), "ltsc-choice")]


def _output(task: Record, code: str) -> Record | None:
    found = _typed(task.get("output"), code)
    return found[0].get("valueReference") if found else None


def _output_value(task: Record, code: str, field: str) -> Any:
    found = _typed(task.get("output"), code)
    return found[0].get(field) if found else None


def _output_code(task: Record, code: str) -> str | None:
    found = _typed(task.get("output"), code)
    return _first_code(found[0].get("valueCodeableConcept")) if found else None


def _first_code(concept: Any) -> str | None:
    if isinstance(concept, list):
        concept = concept[0] if concept else None
    codings = (concept or {}).get("coding") or []
    return codings[0].get("code") if codings else None


def _shortfall(task: Record) -> str | None:
    for extension in task.get("extension") or []:
        if str(extension.get("url", "")).endswith("/offer-shortfall-reason"):
            return _first_code(extension.get("valueCodeableConcept"))
    return None


def _reference_id(reference: Record | None, prefix: str) -> str | None:
    text = str((reference or {}).get("reference") or "")
    return text[len(prefix) :] if text.startswith(prefix) else None
