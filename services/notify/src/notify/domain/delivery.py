"""Delivery rules as plain code: states, backoff with jitter, what a response means."""

from __future__ import annotations

import random
from dataclasses import dataclass

from notify.domain.catalogue import PARTICIPANT

PENDING, SENDING, SENT, FAILED, DEAD, SKIPPED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "dead",
    "skipped",
)
STATUSES = (PENDING, SENDING, SENT, FAILED, DEAD, SKIPPED)
DUE = (PENDING, FAILED)  # waiting for next_attempt_at
FINAL = (SENT, DEAD, SKIPPED)

OK, RETRY, PERMANENT, DISABLE = "ok", "retry", "permanent", "disable"
# not sent: the destination already has its share of sends in flight (adapters/bulkhead.py)
DEFERRED = "deferred"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt achieved. Channels never raise; they answer with one of these."""

    verdict: str  # ok | retry | permanent | disable | deferred
    response_code: int | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds the other side asked us to wait


def quota_holder(recipient_type: str, recipient_id: str, address: str) -> tuple[str, str]:
    """Whose daily allowance of paid messages a delivery uses. A group-order participant is
    new in every group order, so their messages count against the phone number: joining
    many times with someone else's number cannot make us flood it."""
    if recipient_type == PARTICIPANT:
        return PARTICIPANT, address
    return recipient_type, recipient_id


def backoff_seconds(attempt: int, base: float, cap: float, rand=random.random) -> float:
    """Exponential backoff with "equal jitter": half the delay fixed, half random, so
    retries spread out but never come sooner than half the exponential step."""
    step = min(cap, base * 2 ** max(0, attempt - 1))
    return step / 2 + rand() * step / 2


def after_failure(
    outcome: Outcome, attempts: int, max_attempts: int, base: float, cap: float, rand=random.random
) -> tuple[str, float | None]:
    """(next status, seconds until the next attempt or None) after a failed attempt."""
    if outcome.verdict in (PERMANENT, DISABLE) or attempts >= max_attempts:
        return DEAD, None
    delay = backoff_seconds(attempts, base, cap, rand)
    if outcome.retry_after is not None:
        delay = max(delay, min(outcome.retry_after, cap))
    return FAILED, delay


def webhook_verdict(status: int) -> str:
    """Standard Webhooks: 2xx is success, 410 disables the endpoint, 3xx is a failure (we
    never follow it), 429 and 5xx are throttling or outages; every other failure is retried
    too, so a receiver that was briefly misconfigured still gets the message."""
    if 200 <= status < 300:
        return OK
    if status == 410:
        return DISABLE
    return RETRY
