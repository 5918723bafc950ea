"""CSV cells: "|"-separated lists with escapes, periods, booleans and numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapter.records.csv_cells import format_cell, join_list, parse_cell, split_list


@given(st.lists(st.text(min_size=1), min_size=1))
def test_lists_round_trip_even_with_separators_inside(items):
    assert split_list(join_list(items)) == items


def test_list_separator_inside_an_item_is_escaped():
    assert join_list(["12 Elm St | rear", "Apt 3"]) == "12 Elm St \\| rear|Apt 3"


def test_periods_read_as_start_end_intervals():
    cell = "2026-12-22/2027-01-02|2027-03-01/2027-03-05"
    periods = parse_cell(cell, "periods")
    assert periods == [
        {"start": "2026-12-22", "end": "2027-01-02"},
        {"start": "2027-03-01", "end": "2027-03-05"},
    ]
    assert format_cell(periods, "periods") == cell


def test_booleans_and_numbers_parse_or_stay_text_for_the_schema():
    assert parse_cell("true", "bool") is True
    assert parse_cell("false", "bool") is False
    assert parse_cell("yes", "bool") == "yes"
    assert parse_cell("10", "number") == 10
    assert parse_cell("2.5", "number") == 2.5
    assert parse_cell("ten", "number") == "ten"
    assert parse_cell("nan", "number") == "nan"


def test_null_and_empty_lists_are_empty_cells():
    assert format_cell(None, "text") == ""
    assert format_cell([], "list") == ""
    assert format_cell(False, "bool") == "false"
