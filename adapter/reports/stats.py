"""Small statistics for report figures: ratios that may be absent, nearest-rank percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator to four places; None (absent, not zero) when nothing to divide."""
    return round(numerator / denominator, 4) if denominator else None


def nearest_rank(values: Sequence[int], percent: float) -> int | None:
    """The value at rank ⌈percent/100 × n⌉ of the sorted values: always one someone really had."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]
