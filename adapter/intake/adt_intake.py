"""Apply ADT messages to members through the member service and answer each with an ACK.

Unknown members are queued for review and accepted (AA) so the sender does not resend them;
messages the adapter cannot use are answered AR (refused as such) or AE (content in error).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from adapter.errors import NotFound, Unprocessable
from adapter.intake.ack import acknowledgement
from adapter.records.hl7v2 import AdtError, AdtEvent, read_adt, split_messages
from adapter.records.hl7v2 import errors as codes
from adapter.records.schema import field_path, schema_errors

log = logging.getLogger(__name__)

# The plan-export schema definition of one item of each member-record list ADT can fill.
ITEM_DEFINITIONS = {
    "status_events": "status_event",
    "institutional_admissions": "institutional_admission",
}


class MemberEvents(Protocol):
    """The part of adapter.services.MemberService the intake needs."""

    def find_member(self, identifiers: list[tuple[str | None, str]]) -> str | None: ...
    def apply_event(self, member_id: str, kind: str, payload: dict) -> Any: ...
    def queue_for_review(self, source: str, payload: str, reason: str) -> str: ...
    def member_record(self, member_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Receipt:
    """What became of one message, with the ACK that answers it."""

    ack_code: str
    control_id: str
    text: str
    ack: str
    written: list[str] = field(default_factory=list)
    review_id: str | None = None


class AdtIntake:
    """One ADT message in, member items applied (or queued for review), one ACK out."""

    def __init__(
        self, service: MemberEvents, facilities: Mapping[str, dict[str, Any]] | None = None
    ) -> None:
        self.service = service
        self.facilities = facilities or {}

    def answer(self, raw: str, source: str) -> str:
        """The ACK text for one message; the MLLP listener's handler."""
        return self.receive(raw, source).ack

    def process_file(self, path: Path) -> list[Receipt]:
        """Every message of a file (MLLP-framed or separated by blank lines), in order."""
        text = path.read_bytes().decode("utf-8", errors="replace")
        return [self.receive(raw, f"file:{path}") for raw in split_messages(text)]

    def receive(self, raw: str, source: str) -> Receipt:
        try:
            event = read_adt(raw, self.facilities)
            return self._apply(raw, source, event)
        except AdtError as error:
            return _refused(raw, error)
        except Exception as exc:  # the sender must hear back even when the database fails
            log.exception("ADT message from %s could not be applied", source)
            error = AdtError("AE", codes.APPLICATION_INTERNAL_ERROR, f"not applied: {exc}")
            return _refused(raw, error)

    def _apply(self, raw: str, source: str, event: AdtEvent) -> Receipt:
        member_id = self.service.find_member(event.identifiers) if event.identifiers else None
        if member_id is None:
            return self._queue(raw, source, event, "no One Care member matches PID-3")
        items = [(k, i) for k, i in event.items if not self._address_known(member_id, k, i)]
        check_items(items)
        written: list[str] = []
        try:
            for kind, item in items:
                written += self.service.apply_event(member_id, kind, item).written
        except NotFound:
            return self._queue(raw, source, event, f"member {member_id} is no longer stored")
        except Unprocessable as exc:
            problem = "; ".join(i.message for i in exc.issues) or exc.message
            raise AdtError("AE", codes.APPLICATION_INTERNAL_ERROR, problem) from None
        text = "; ".join([f"applied {len(items)} item(s) to member {member_id}", *event.notes])
        return _accepted(raw, event, text, written=written)

    def _queue(self, raw: str, source: str, event: AdtEvent, reason: str) -> Receipt:
        review_id = self.service.queue_for_review(source, raw, reason)
        text = f"queued for review {review_id}: {reason}"
        return _accepted(raw, event, text, review_id=review_id)

    def _address_known(self, member_id: str, kind: str, item: dict[str, Any]) -> bool:
        """STATUS-SHARE wants address changes, not every A08 that repeats the same address."""
        if item.get("type") != "address-change":
            return False
        try:
            addresses = self.service.member_record(member_id)["member"].get("addresses") or []
        except NotFound:
            return False
        homes = [a for a in addresses if a["kind"] == "home" and not a["period"].get("end")]
        return any(same_address(a, item["address"]) for a in homes)


def check_items(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Refuse the whole message (AE) before applying any item when one breaks the schema."""
    for kind, item in items:
        for path, message in schema_errors(ITEM_DEFINITIONS[kind], item):
            where = field_path(path)
            text = f"{kind}.{where}: {message}" if where else f"{kind}: {message}"
            raise AdtError("AE", codes.DATA_TYPE_ERROR, text, _hl7_location(where))


def _hl7_location(where: str) -> str:
    # Only the address comes from one field of its own; other items mix several.
    return "PID-11" if where.startswith("address") else ""


def same_address(known: dict[str, Any], address: dict[str, Any]) -> bool:
    """Same street, city and ZIP, whatever the case and spacing each system writes them in."""

    def norm(text: object) -> str:
        return " ".join(str(text or "").lower().split())

    return (
        norm(" ".join(known["line"])) == norm(" ".join(address["line"]))
        and norm(known["city"]) == norm(address["city"])
        and norm(known["postal_code"])[:5] == norm(address["postal_code"])[:5]
    )


def _accepted(raw: str, event: AdtEvent, text: str, **extra: Any) -> Receipt:
    ack = acknowledgement(raw, "AA", text)
    return Receipt("AA", event.control_id, text, ack, **extra)


def _refused(raw: str, error: AdtError) -> Receipt:
    control_id = raw.split("\r", 1)[0].split("|")[9:10]
    ack = acknowledgement(raw, error.ack_code, error.message, error)
    return Receipt(error.ack_code, "".join(control_id), error.message, ack)
