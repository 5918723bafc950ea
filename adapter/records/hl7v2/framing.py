"""Split a message file or stream into HL7 v2 messages: MLLP frames or blank-line separated."""

from __future__ import annotations

import re

START_BLOCK = "\x0b"
END_BLOCK = "\x1c"
_BLANK_LINES = re.compile(r"\r?\n\s*\r?\n|\r\s*\r")


def split_messages(text: str) -> list[str]:
    """Messages in `text`, each with segments separated by carriage returns as HL7 requires."""
    if START_BLOCK in text:
        chunks = [frame.split(END_BLOCK, 1)[0] for frame in text.split(START_BLOCK)[1:]]
    else:
        chunks = _BLANK_LINES.split(text)
    return [m for m in (normalize_segments(c) for c in chunks) if m]


def normalize_segments(text: str) -> str:
    """One message with CR segment separators; files edited on other systems use LF or CRLF."""
    segments = [s.strip("\n") for s in re.split(r"\r\n|\r|\n", text)]
    return "\r".join(s for s in segments if s.strip())
