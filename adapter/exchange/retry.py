"""When to try a delivery again: exponential backoff with jitter, honouring Retry-After.

The schedule is tenacity's exponential wait (`tenacity.wait_exponential`). Tenacity's retry loop
itself does not fit: it sleeps in the calling process, while an outbox item's next attempt is a
row (`next_attempt_at`) that outlives the worker, may be taken by another worker, and is decided
after one attempt per round. So `RetryPolicy` asks tenacity only for the ceiling of attempt n and
adds the jitter from the worker's own random source, which tests seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState, wait_exponential

from adapter import clock

# Statuses a later attempt can cure: the partner timed out, throttled us, or failed itself.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A re-read decides these: the partner holds a newer or concurrent version.
RECONCILE_STATUSES = frozenset({409, 412})


@dataclass(frozen=True)
class RetryPolicy:
    base_s: float = 1.0
    cap_s: float = 300.0
    max_attempts: int = 12
    # A partner asking for more than an hour is treated as asking for an hour; the next
    # attempt will tell whether it is still unwell.
    retry_after_cap_s: float = 3600.0
    _ceiling: wait_exponential = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_ceiling", wait_exponential(multiplier=self.base_s, max=self.cap_s)
        )

    def ceiling(self, attempts: int) -> float:
        """The longest wait after `attempts` failed attempts: base, doubling, capped."""
        state = RetryCallState(None, None, (), {})  # tenacity's waits read only attempt_number
        state.attempt_number = max(attempts, 1)
        return self._ceiling(state)

    def delay(
        self, attempts: int, retry_after_s: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds before attempt number `attempts + 1`."""
        ceiling = self.ceiling(attempts)
        # Half fixed, half random: workers that failed together do not all retry together.
        jittered = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
        if retry_after_s is None:
            return jittered
        return max(min(retry_after_s, self.retry_after_cap_s), jittered)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or clock.now())).total_seconds())


def is_retryable(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500
