"""Backoff with jitter, when to give up, what a webhook response means."""

from __future__ import annotations

import pytest

from notify.domain.delivery import (
    DEAD,
    FAILED,
    Outcome,
    after_failure,
    backoff_seconds,
    webhook_verdict,
)


@pytest.mark.parametrize("attempt", range(1, 15))
def test_backoff_grows_exponentially_within_jitter_and_the_cap(attempt):
    step = min(3600, 60 * 2 ** (attempt - 1))
    low = backoff_seconds(attempt, 60, 3600, rand=lambda: 0.0)
    high = backoff_seconds(attempt, 60, 3600, rand=lambda: 0.999999)
    assert low == step / 2 and step / 2 < high <= step


def test_jitter_spreads_retries():
    values = {round(backoff_seconds(3, 60, 3600), 3) for _ in range(50)}
    assert len(values) > 10


def test_failures_retry_until_the_maximum_then_dead():
    retry = Outcome("retry", 500, "HTTP 500")
    assert after_failure(retry, 1, 3, 1, 10, rand=lambda: 0)[0] == FAILED
    assert after_failure(retry, 3, 3, 1, 10) == (DEAD, None)


def test_permanent_and_disable_are_dead_at_once():
    assert after_failure(Outcome("permanent"), 1, 10, 1, 10) == (DEAD, None)
    assert after_failure(Outcome("disable", 410), 1, 10, 1, 10) == (DEAD, None)


def test_retry_after_is_respected_up_to_the_cap():
    outcome = Outcome("retry", 429, retry_after=500)
    assert after_failure(outcome, 1, 10, 1, 100, rand=lambda: 0) == (FAILED, 100)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "ok"),
        (204, "ok"),
        (299, "ok"),
        (301, "retry"),
        (302, "retry"),
        (400, "retry"),
        (404, "retry"),
        (410, "disable"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
    ],
)
def test_webhook_status_rules(status, verdict):
    assert webhook_verdict(status) == verdict
