"""HL7 v2 ACK messages (MSA with AA/AE/AR, ERR for errors), also for messages that do not parse."""

from __future__ import annotations

import uuid

from adapter import clock
from adapter.records.hl7v2.errors import ERROR_TEXT, AdtError

SENDING_APPLICATION = "LTSC-ADAPTER"
DEFAULT_VERSION = "2.5.1"
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


def escape(text: str) -> str:
    """Free text made safe for a field under the standard encoding characters |^~\\&."""
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text.replace("\r", " ").replace("\n", " ")


def header_fields(original: str) -> dict[int, str]:
    """MSH-n of the original message by number, as sent; empty when there is no MSH."""
    first = original.split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 4:
        return {}
    separator = first[3]
    parts = first.split(separator)
    return {n: parts[n - 1] for n in range(2, len(parts) + 1)}


def acknowledgement(original: str, code: str, text: str = "", error: AdtError | None = None) -> str:
    """The ACK for `original`: MSA-1 `code`, MSA-2 its MSH-10, MSA-3 `text`, ERR when `error`."""
    msh = header_fields(original)
    trigger = msh.get(9, "").split("^")[1:2]
    now = clock.now().strftime("%Y%m%d%H%M%S+0000")
    header = [
        "MSH",
        "^~\\&",
        SENDING_APPLICATION,
        msh.get(6, ""),
        msh.get(3, ""),
        msh.get(4, ""),
        now,
        "",
        "^".join(["ACK", *trigger, "ACK"]) if trigger else "ACK",
        f"A{uuid.uuid4().hex[:19].upper()}",
        msh.get(11, "P") or "P",
        msh.get(12, DEFAULT_VERSION) or DEFAULT_VERSION,
    ]
    segments = ["|".join(header), "|".join(["MSA", code, msh.get(10, ""), escape(text)])]
    if error is not None:
        segments.append(error_segment(error))
    return "\r".join(segments) + "\r"


def error_segment(error: AdtError) -> str:
    """ERR-2 location (segment^^field), ERR-3 HL7 table 0357 code, ERR-4 severity, ERR-8 text."""
    segment, _, position = error.location.partition("-")
    location = f"{segment}^1^{position}" if position else segment
    condition = f"{error.error_code}^{ERROR_TEXT.get(error.error_code, '')}^HL70357"
    return "|".join(["ERR", "", location, condition, "E", "", "", "", escape(error.message)])
