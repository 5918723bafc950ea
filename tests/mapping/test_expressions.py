"""The spec expression language: paths, list flattening and the filter table."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.mapping.directory import DirectoryIndex
from adapter.mapping.errors import SpecError
from adapter.mapping.expressions import DISPLAY_TABLES, compile_expression

TABLES: dict[str, Any] = {
    "address-use": {"mailing": "home", "temporary-facility": "temp", "__default__": "home"},
    DISPLAY_TABLES: {"goal-category": {"recovery": "Recovery"}},
}
RECORD = {
    "offers": [
        {"offer_id": "OF-1", "choices": ["LTSC-1", "LTSC-2"], "outcome": "declined"},
        {"offer_id": "OF-2", "choices": ["LTSC-2"], "outcome": None},
    ],
}
DIRECTORY = DirectoryIndex(
    {
        "ltsc_staff": [{"staff_id": "LTSC-1", "cbo_id": "BCIL"}],
        "care_coordinators": [{"staff_id": "CC-1"}],
        "cbos": [{"cbo_id": "BCIL", "contract": {"end": "2026-01-31"}}],
    }
)


def run(text: str, **scope: Any) -> Any:
    base = {"record": RECORD, "directory": DIRECTORY, "as_of": "2026-11-01"}
    return compile_expression(text, TABLES, {"base": "https://x.test"})({**base, **scope})


def test_a_path_over_a_list_maps_and_flattens() -> None:
    assert run("record.offers.choices") == ["LTSC-1", "LTSC-2", "LTSC-2"]


def test_a_missing_key_gives_none_not_an_error() -> None:
    assert run("record.goals.description") is None
    assert run("nowhere.at.all") is None


def test_where_first_and_get_filters() -> None:
    assert run("record.offers | where:outcome=declined | first | get:offer_id") == "OF-1"
    assert run("record.offers | where:!outcome | get:offer_id") == ["OF-2"]
    assert run("record.offers | where:outcome | last | get:offer_id") == "OF-1"


def test_unique_keeps_first_seen_order() -> None:
    assert run("record.offers.choices | unique") == ["LTSC-1", "LTSC-2"]


def test_code_table_falls_back_to_its_default() -> None:
    assert run("kind | code:address-use", kind="temporary-facility") == "temp"
    assert run("kind | code:address-use", kind="pigeon-hole") == "home"
    assert run("kind | code:address-use", kind=None) is None


def test_display_comes_from_the_code_system() -> None:
    assert run("category | display:goal-category", category="recovery") == "Recovery"


def test_directory_lookups_resolve_staff_with_their_role_and_drop_unknown_ids() -> None:
    found = run("ids | staff", ids=["LTSC-1", "NOBODY", "CC-1"])
    assert [(s["staff_id"], s["role"]) for s in found] == [("LTSC-1", "ltsc"), ("CC-1", "cc")]
    assert run("ids | staff | get:cbo_id | cbo | get:cbo_id", ids=["LTSC-1"]) == ["BCIL"]


def test_ended_compares_a_date_with_the_as_of_date_for_cbo_types() -> None:
    # CBO-TYPES: a CBO whose contract ended before the export has left the network.
    assert run("end | ended", end="2026-01-31") is True
    assert run("end | ended", end="2027-01-31") is False
    assert run("end | ended | not", end=None) is True


def test_constants_are_folded_at_compile_time() -> None:
    assert run("base") == "https://x.test"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("record.offers | explode", "unknown filter"),
        ("record..offers", "bad path"),
        ("kind | code:no-such-table", "unknown code table"),
        ("kind | display:no-such-system", "no CodeSystem"),
        ("kind | where", "where needs"),
    ],
)
def test_bad_expressions_are_refused_when_compiled(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        compile_expression(text, TABLES, {})
