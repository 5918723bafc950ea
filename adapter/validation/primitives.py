"""JSON representation checks for FHIR primitive types: JSON kind, regex, ranges and real dates."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

from adapter.validation.definitions import Definitions

REGEX_EXT = "http://hl7.org/fhir/StructureDefinition/regex"
NUMBER_TYPES = frozenset({"integer", "positiveInt", "unsignedInt", "decimal", "integer64"})
INT32 = (-(2**31), 2**31 - 1)
# "strings SHALL NOT exceed 1MB in size" (R4 datatypes); base64Binary and xhtml are not strings
MAX_STRING_BYTES = 1024 * 1024
MAX_STRING_CHARS = MAX_STRING_BYTES // 4  # below this many characters no string can be over
UNBOUNDED_STRINGS = frozenset({"base64Binary", "xhtml"})
DATE_TYPES = frozenset({"date", "dateTime", "instant"})


def is_primitive(code: str) -> bool:
    """FHIR primitive type names start with a lower-case letter."""
    return bool(code) and code[0].islower()


class PrimitiveRules:
    """Regexes read from the loaded primitive StructureDefinitions, compiled once."""

    def __init__(self, definitions: Definitions) -> None:
        self._regex: dict[str, re.Pattern[str] | None] = {}
        self._definitions = definitions

    def regex(self, code: str) -> re.Pattern[str] | None:
        if code not in self._regex:
            self._regex[code] = self._read_regex(code)
        return self._regex[code]

    def _read_regex(self, code: str) -> re.Pattern[str] | None:
        sd = self._definitions.structure_definition(code)
        if not sd or "snapshot" not in sd:
            return None
        for element in sd["snapshot"]["element"]:
            if element["path"] != f"{code}.value":
                continue
            for t in element.get("type", []):
                for ext in t.get("extension", []):
                    if ext.get("url") == REGEX_EXT:
                        return re.compile(ext["valueString"])
        return None

    def problem(self, code: str, value: Any) -> str | None:
        """Why `value` is not a valid JSON form of primitive `code`, or None when it is."""
        if code == "boolean":
            return None if isinstance(value, bool) else "must be a JSON boolean"
        if code in NUMBER_TYPES:
            return _number_problem(code, value)
        if not isinstance(value, str):
            return "must be a JSON string"
        if len(value) > MAX_STRING_CHARS and code not in UNBOUNDED_STRINGS and _over_limit(value):
            return "is larger than 1 MB, the limit for FHIR strings"
        if code == "xhtml":
            return None if value.strip().startswith("<div") else "must be an XHTML <div>"
        if not value.strip() and code != "string":
            return "must not be empty or blank"
        pattern = self.regex(code)
        if pattern is not None and not pattern.fullmatch(value):
            return f"is not a valid {code}"
        if code in ("date", "dateTime", "instant"):
            return _calendar_problem(code, value)
        return None


def _over_limit(value: str) -> bool:
    return len(value.encode("utf-8")) > MAX_STRING_BYTES


def range_problem(code: str, value: Any, low: Any, high: Any) -> str | None:
    """Why a valid primitive value lies outside [low, high] (minValue/maxValue), or None.

    Numbers compare as numbers; dates, dateTimes and instants on the precision both sides have
    (`2026-03` is not before `2026-03-15`). Other types, and bounds of another type, pass.
    """
    for bound, is_low in ((low, True), (high, False)):
        if bound is None or isinstance(bound, bool):
            continue
        if code in NUMBER_TYPES and isinstance(bound, int | float | Decimal):
            outside = (
                Decimal(str(value)) < Decimal(str(bound))
                if is_low
                else (Decimal(str(value)) > Decimal(str(bound)))
            )
        elif code in DATE_TYPES and isinstance(bound, str) and isinstance(value, str):
            size = min(len(value), len(bound), 10)
            if size < 4:
                continue
            outside = value[:size] < bound[:size] if is_low else value[:size] > bound[:size]
        else:
            continue
        if outside:
            return f"is {'below the minimum' if is_low else 'above the maximum'} {bound}"
    return None


def _number_problem(code: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "must be a JSON number"
    if code == "decimal":
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        if isinstance(value, Decimal) and not value.is_finite():
            return "must be a finite number"
        return None
    if not isinstance(value, int) and not (
        isinstance(value, Decimal) and value == value.to_integral_value()
    ):
        return "must be a whole number"
    number = int(value)
    if code == "positiveInt" and number < 1:
        return "must be at least 1"
    if code == "unsignedInt" and number < 0:
        return "must not be negative"
    if code != "integer64" and not INT32[0] <= number <= INT32[1]:
        return "is outside the 32-bit integer range"
    return None


def _calendar_problem(code: str, value: str) -> str | None:
    """The regexes accept day 31 of every month; a real calendar does not."""
    if len(value) < 10:
        return None
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return f"is not a real calendar {code}"
    return None
