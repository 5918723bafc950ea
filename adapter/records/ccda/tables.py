"""The C-CDA reader's code tables: the shipped ccda.yaml, with a plan's own file laid over it.

A plan sets its identifier roots (`member_id_roots`, `masshealth_id_roots`) and codes in a
YAML file of the same shape (ADAPTER_CCDA_TABLES_FILE); keys it sets replace the shipped ones.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

TABLES_FILE = Path(__file__).with_name("ccda.yaml")
_override: list[Path] = []


class TablesError(ValueError):
    """The plan's tables file cannot be used."""


def use_tables_file(path: Path | str | None) -> None:
    """Read the plan's own tables from `path` from now on (None or "" = the shipped ones)."""
    _override[:] = [Path(path)] if path else []
    tables.cache_clear()
    if _override:
        tables()  # refuse a bad file now, not in the middle of a document


@cache
def tables() -> dict[str, Any]:
    shipped = yaml.safe_load(TABLES_FILE.read_text(encoding="utf-8"))
    for path in _override:
        try:
            own = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise TablesError(f"C-CDA tables file {path} cannot be read: {exc}") from None
        if not isinstance(own, dict) or any(k not in shipped for k in own):
            known = ", ".join(sorted(shipped))
            raise TablesError(f"C-CDA tables file {path} must be a mapping of: {known}")
        shipped |= own
    return shipped


def by_code_or_words(codes: dict, words: dict, code: str | None, text: str) -> str | None:
    """A table value for the code, else for the first listed words found in the text."""
    if code and code in {str(k) for k in codes}:
        return {str(k): v for k, v in codes.items()}[code]
    lowered = text.lower()
    return next((value for phrase, value in words.items() if phrase in lowered), None)
