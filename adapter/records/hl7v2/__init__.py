"""HL7 v2 ADT intake: split message files, parse ADT A01/A03/A04/A05/A08, map to member items.

for text in split_messages(raw):
    event = read_adt(text)        # AdtEvent, or raises AdtError(ack_code, error_code, ...)
    event.identifiers             # [(system | None, value)] from PID-3
    event.items                   # [(member-record list name, item)] per docs/architecture.md
"""

from adapter.records.hl7v2.adt import SUPPORTED_TRIGGERS, AdtEvent, read_adt
from adapter.records.hl7v2.errors import AdtError
from adapter.records.hl7v2.framing import split_messages

__all__ = ["SUPPORTED_TRIGGERS", "AdtError", "AdtEvent", "read_adt", "split_messages"]
