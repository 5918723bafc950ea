"""The C-CDA reader's code tables (ccda.yaml), loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

TABLES_FILE = Path(__file__).with_name("ccda.yaml")


@cache
def tables() -> dict[str, Any]:
    return yaml.safe_load(TABLES_FILE.read_text(encoding="utf-8"))


def by_code_or_words(codes: dict, words: dict, code: str | None, text: str) -> str | None:
    """A table value for the code, else for the first listed words found in the text."""
    if code and code in {str(k) for k in codes}:
        return {str(k): v for k, v in codes.items()}[code]
    lowered = text.lower()
    return next((value for phrase, value in words.items() if phrase in lowered), None)
