"""Read HL7 v2 fields as text, dates and addresses, with the field's position for errors."""

from __future__ import annotations

from datetime import date

import hl7

from adapter.records.hl7v2.errors import DATA_TYPE_ERROR, AdtError


def value(
    message: hl7.Message, segment: str, field: int, rep: int = 1, comp: int = 1, sub: int = 1
) -> str:
    """The text at SEG-field.comp.sub of the first such segment; empty when absent."""
    try:
        return str(message.extract_field(segment, 1, field, rep, comp, sub)).strip()
    except (KeyError, IndexError):
        return ""


def has_segment(message: hl7.Message, segment: str) -> bool:
    try:
        message.segment(segment)
    except KeyError:
        return False
    return True


def repetitions(message: hl7.Message, segment: str, field: int) -> int:
    try:
        return len(message.segment(segment)(field))
    except (KeyError, IndexError):
        return 0


def hl7_date(text: str, location: str) -> date | None:
    """The calendar date of an HL7 DT/DTM value (YYYYMMDD[HHMM[SS]][+ZZZZ]); None when empty.

    The date is taken as written: sending systems stamp local time, and a plan date is a date.
    """
    if not text:
        return None
    digits = text[:8]
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError(text)
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        problem = f"{location} is not a date: {text!r}"
        raise AdtError("AE", DATA_TYPE_ERROR, problem, location) from None


def address(message: hl7.Message, rep: int) -> dict[str, object] | None:
    """PID-11 repetition `rep` as a plan-export address, None when it has no street or city."""
    line = [v for v in (value(message, "PID", 11, rep, 1), value(message, "PID", 11, rep, 2)) if v]
    city = value(message, "PID", 11, rep, 3)
    if not line or not city:
        return None
    return {
        "line": line,
        "city": city,
        "county": _county(value(message, "PID", 11, rep, 9)),
        "state": value(message, "PID", 11, rep, 4).upper(),
        "postal_code": value(message, "PID", 11, rep, 5),
    }


def _county(text: str) -> str | None:
    """XAD-9 county as a county name (`Suffolk`, `Suffolk County`); None when absent."""
    name = text.strip().removesuffix(" County").removesuffix(" county").strip()
    return name.title() if name and not name.isdigit() else None  # a FIPS code names no area


def home_address(message: hl7.Message) -> dict[str, object] | None:
    """The home (XAD-7 H) address of PID-11, or its first untyped one."""
    count = repetitions(message, "PID", 11)
    for wanted in ("H", ""):
        for rep in range(1, count + 1):
            if value(message, "PID", 11, rep, 7).upper() == wanted:
                found = address(message, rep)
                if found:
                    return found
    return None
