"""A Task update's item completed from the member's record and the plan's directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapter.mapping.ids import resource_id
from adapter.services.events import find_item, item_key

Record = dict[str, Any]


@dataclass
class TaskWrite:
    """A Task as the API received it, written first in the member's transaction."""

    task_id: str
    task: Record
    if_match: str | None = None
    outcomes: list[Any] = field(default_factory=list)  # the store's WriteOutcome, once written

    def __call__(self, writer: Any) -> None:
        self.outcomes.append(writer.save("Task", self.task_id, self.task, if_match=self.if_match))


# CHOICE: what a CBO's offer Task update may change about an offer the plan recorded.
OFFER_DECISION_FIELDS = ("outcome", "outcome_date", "chosen_staff_id")


def complete_item(kind: str, item: Record, record: Record, directory: Record) -> Record:
    """The full item to apply: reference ids back to directory ids, merged with what the
    member's record already says about the same item."""
    existing = find_item(record, kind, item_key(kind, item))
    if kind == "offers":
        resolved = _offer_with_directory_ids(item, directory)
        if existing is None:
            return resolved
        return {**existing, **{name: resolved[name] for name in OFFER_DECISION_FIELDS}}
    resolved = _service_with_directory_ids(item, directory)
    if existing is None:
        return resolved  # a recommendation the plan never sent; the schema check refuses it
    merged = {**existing, **resolved}
    if "authorization" in resolved:
        merged["authorization"] = {**existing["authorization"], **resolved["authorization"]}
    return merged


def _offer_with_directory_ids(item: Record, directory: Record) -> Record:
    staff = _by_resource_id("role", directory.get("ltsc_staff") or [], "staff_id")
    return {
        **item,
        "choices": [staff.get(c, c) for c in item.get("choices") or [] if c],
        "chosen_staff_id": staff.get(item["chosen_staff_id"], item["chosen_staff_id"])
        if item.get("chosen_staff_id")
        else None,
    }


def _service_with_directory_ids(item: Record, directory: Record) -> Record:
    if not item.get("vendor_id"):
        return item
    vendors = _by_resource_id("vendor", directory.get("vendors") or [], "vendor_id")
    return {**item, "vendor_id": vendors.get(item["vendor_id"], item["vendor_id"])}


def _by_resource_id(prefix: str, entries: list[Record], key: str) -> dict[str, str]:
    """Directory id by the id part of its resource id (`role-ltsc-0001` -> `LTSC-0001`)."""
    start = len(prefix) + 1
    return {resource_id(prefix, e[key])[start:]: e[key] for e in entries if e and e.get(key)}
