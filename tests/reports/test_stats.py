"""Nearest-rank percentiles and ratios behind the REPORT scores."""

from __future__ import annotations

from adapter.reports.stats import nearest_rank, ratio


def test_report_nearest_rank_median_of_even_count_is_lower_middle():
    assert nearest_rank([40, 10, 30, 20], 50) == 20


def test_report_nearest_rank_p90_of_ten_values_is_the_ninth():
    assert nearest_rank(list(range(1, 11)), 90) == 9


def test_report_nearest_rank_of_one_value_is_that_value():
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([7], 0) == 7


def test_report_nearest_rank_of_nothing_is_absent():
    assert nearest_rank([], 50) is None


def test_report_ratio_is_absent_without_denominator():
    assert ratio(0, 0) is None
    assert ratio(0, 3) == 0.0
    assert ratio(2, 3) == 0.6667
