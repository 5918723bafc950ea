"""Backoff with jitter and Retry-After, on a seeded random source: no sleeping."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from adapter.exchange.retry import RetryPolicy, is_retryable, parse_retry_after


def test_backoff_doubles_per_attempt_within_half_to_full_ceiling():
    policy = RetryPolicy(base_s=1, cap_s=300)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (6, 32), (20, 300)]:
        delay = policy.delay(attempt, rng=rng)
        assert ceiling / 2 <= delay <= ceiling


def test_jitter_spreads_workers_that_failed_together():
    policy = RetryPolicy(base_s=1, cap_s=300)
    rng = random.Random(2)
    delays = {round(policy.delay(5, rng=rng), 3) for _ in range(20)}
    assert len(delays) > 15


def test_retry_after_wins_over_a_shorter_backoff_and_is_capped():
    policy = RetryPolicy(base_s=1, cap_s=300, retry_after_cap_s=600)
    rng = random.Random(3)
    assert policy.delay(1, retry_after_s=45, rng=rng) == 45
    assert policy.delay(1, retry_after_s=86_400, rng=rng) == 600
    assert policy.delay(10, retry_after_s=1, rng=rng) >= 150


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 23, 15, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Mon, 23 Nov 2026 15:02:00 GMT", now) == 120
    assert parse_retry_after("Mon, 23 Nov 2026 14:00:00 GMT", now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_attempts_are_exhausted_at_the_maximum():
    policy = RetryPolicy(max_attempts=3)
    assert not policy.exhausted(2)
    assert policy.exhausted(3)


def test_throttling_timeouts_and_server_errors_are_retryable_others_not():
    assert all(is_retryable(s) for s in (408, 429, 500, 502, 503, 504, 599))
    assert not any(is_retryable(s) for s in (400, 401, 403, 404, 409, 412, 422))
