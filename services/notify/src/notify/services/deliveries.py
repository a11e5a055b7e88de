"""Sending deliveries, once each, with retries kept in our database.

send_deliveries(ids) (one task: up to ten deliveries to one destination, see queues.py):
  1. claim (one short transaction for all of them): only a due `pending`/`failed` row, or a
     `sending` row whose lease ran out (its worker died mid-send), becomes `sending` with
     attempts + 1 and a lease long enough to send them one after another. A second task
     for the same row finds it claimed and does nothing. Paid channels take today's quota
     here, on the first attempt.
  2. send each while the lease lasts, outside any transaction (the webhook-id / Message-ID
     / grouping key is the delivery id, the same on every attempt, so a resend after a
     crash can be deduped); one whose lease ran out meanwhile is deferred unsent.
  3. settle, only if the row is still ours (same attempt number), the sent ones in one
     short transaction, any other outcome in its own:
     sent; or failed with the next attempt after exponential backoff and jitter; or dead
     after the maximum, on a permanent refusal, or on 410 (which also disables the
     webhook subscription); or, when its destination already had its share of sends in
     flight (the bulkhead), deferred: pending again a little later, not counted.
sweep(): enqueues due rows and rows whose lease expired; it drives every retry, so no
long countdown waits in Redis (see the visibility timeout in reliability-anchors.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, bindparam, or_, select, update

from gachi_kit.dates import KST
from gachi_kit.db import dialect_insert
from gachi_kit.events import new_id, utcnow
from gachi_kit.logging import get_logger
from gachi_kit.metrics import counter
from notify.adapters.bulkhead import destination
from notify.adapters.email import build_message
from notify.adapters.models import Delivery, RateCounter, Subscription
from notify.adapters.texting import TextMessage
from notify.domain.delivery import (
    DEAD,
    DEFERRED,
    DISABLE,
    DUE,
    FAILED,
    OK,
    PENDING,
    RETRY,
    SENDING,
    SENT,
    SKIPPED,
    Outcome,
    after_failure,
    quota_holder,
)
from notify.wiring import Notify

log = get_logger(__name__)


@dataclass(frozen=True)
class Claimed:
    id: str
    channel: str
    address: str
    payload: dict
    attempt: int
    recipient_type: str
    recipient_id: str
    subscription_id: str | None
    secrets: list[str] = field(default_factory=list)


ATTEMPTS = counter(
    "gachi_delivery_attempts_total",
    "delivery attempts by channel and result",
    ("channel", "result"),
)
DEAD_LETTERS = counter(
    "gachi_delivery_dead_letters_total", "deliveries that gave up (dead)", ("channel",)
)


def send_delivery(n: Notify, delivery_id: str) -> str:
    return send_deliveries(n, [delivery_id])[0]


def send_deliveries(n: Notify, delivery_ids: list[str]) -> list[str]:
    """One attempt at each delivery, in order: claimed together, sent one after another,
    and the sent ones settled together; each one's result. Deferred unsent, for the sweep:
    one whose turn comes after the lease ran out (another task may have it now), and the
    webhooks after one to the same receiver that failed or was deferred (a receiver that
    hangs costs one timeout per task, not one per delivery)."""
    lease_seconds = n.settings.delivery_lease_seconds * len(delivery_ids)
    lease_ends = time.monotonic() + lease_seconds  # not after the rows' own lease_until
    claims = _claim(n, delivery_ids, lease_seconds)
    claimed = [c for c in claims.values() if isinstance(c, Claimed)]
    attempts = []
    failing: set[str] = set()  # receivers not to try again in this task
    with n.channels.email.connected() as email:  # one SMTP connection, opened if needed
        for c in claimed:
            where = destination(c.channel, c.address)
            if where in failing or time.monotonic() >= lease_ends:
                attempts.append((c, Outcome(DEFERRED, error=_NOT_THIS_TIME)))
                continue
            with n.channels.bulkhead.slot(where) as free:
                outcome = _send(n, c, email) if free else Outcome(DEFERRED)
            if c.channel == "webhook" and outcome.verdict in (RETRY, DEFERRED):
                failing.add(where)
            attempts.append((c, outcome))
    settled = _settle(n, attempts)
    for c in claimed:
        ATTEMPTS.labels("notify", c.channel, settled[c.id]).inc()
        if settled[c.id] == DEAD:
            DEAD_LETTERS.labels("notify", c.channel).inc()
    for delivery_id, reason in claims.items():
        if not isinstance(reason, Claimed):
            log.info("delivery_not_claimed", delivery_id=delivery_id, reason=reason)
    # each one's result: how it settled, or why it was not claimed
    return [settled[i] if i in settled else claims[i] for i in delivery_ids]


_NOT_THIS_TIME = "같은 수신 서버로 먼저 보낸 메시지가 실패했거나 시간이 다 되어 잠시 미뤘습니다"
_DELIVERIES = Delivery.__table__
_SUBSCRIPTIONS = Subscription.__table__
# The rows and what their subscription says, in one statement built once (the rows locked
# on PostgreSQL); plain rows: building mapped objects of these two wide tables was a third
# of a claim.
_CLAIMING = (
    select(
        _DELIVERIES,
        _SUBSCRIPTIONS.c.active.label("subscription_active"),
        _SUBSCRIPTIONS.c.secret,
        _SUBSCRIPTIONS.c.previous_secret,
        _SUBSCRIPTIONS.c.previous_secret_expires_at,
    )
    .outerjoin(_SUBSCRIPTIONS, _SUBSCRIPTIONS.c.id == _DELIVERIES.c.subscription_id)
    .where(_DELIVERIES.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_DELIVERIES.c.id)
    .with_for_update(of=_DELIVERIES)
)
# What a claim changes, by the row's id; the parameters name the columns set.
_CHANGE = update(_DELIVERIES).where(_DELIVERIES.c.id == bindparam("row_id"))


def _claim(n: Notify, delivery_ids: list[str], lease_seconds: float) -> dict[str, Claimed | str]:
    """In one transaction: each row claimed, or why not. The lease covers sending them
    one after another."""
    now = utcnow()
    lease = timedelta(seconds=lease_seconds)
    with n.db.transaction() as session:
        connection = session.connection()
        found = {row.id: row for row in connection.execute(_CLAIMING, {"ids": delivery_ids})}
        claims: dict[str, Claimed | str] = {}
        for delivery_id in delivery_ids:
            if delivery_id not in found:
                claims[delivery_id] = "missing"
                continue
            claim, changes = _claim_row(n, session, found[delivery_id], now, now + lease)
            if changes:
                connection.execute(_CHANGE, {"row_id": delivery_id, **changes})
            claims[delivery_id] = claim
        return claims


def _claim_row(n: Notify, session, row, now, lease_until) -> tuple[Claimed | str, dict]:
    """Only a due `pending`/`failed` row, or a `sending` row whose lease ran out, becomes
    `sending` with attempts + 1: the Claimed, or why not, and the columns to change."""
    settings = n.settings
    if row.status == SENDING and row.lease_until and row.lease_until > now:
        return "in_flight", {}
    if row.status not in (*DUE, SENDING):
        return row.status, {}
    if row.status in DUE and row.next_attempt_at and row.next_attempt_at > now:
        return "not_due", {}
    if row.subscription_id and not row.subscription_active:  # switched off, or deleted
        skipped = {"status": SKIPPED, "last_error": "구독이 꺼져 있어 보내지 않았습니다"}
        return SKIPPED, skipped | {"lease_until": None}
    if row.channel in ("sms", "alimtalk") and row.attempts == 0:
        cap = settings.sms_daily_cap if row.channel == "sms" else settings.alimtalk_daily_cap
        if not _take_quota(session, row, cap, now.astimezone(KST).strftime("%Y-%m-%d")):
            return "rate_capped", {
                "status": SKIPPED,
                "last_error": (
                    f"오늘 이 수신자에게 보낼 수 있는 {row.channel} {cap}건을 모두 보냈습니다"
                ),
            }
    secrets = []
    if row.subscription_id and row.channel == "webhook":
        secrets = [row.secret]
        if (
            row.previous_secret
            and row.previous_secret_expires_at
            and row.previous_secret_expires_at > now
        ):
            secrets.append(row.previous_secret)
    claimed = Claimed(
        id=row.id,
        channel=row.channel,
        address=row.address,
        payload=dict(row.payload),
        attempt=row.attempts + 1,
        recipient_type=row.recipient_type,
        recipient_id=row.recipient_id,
        subscription_id=row.subscription_id,
        secrets=[s for s in secrets if s],
    )
    changes = {
        "status": SENDING,
        "attempts": row.attempts + 1,
        "lease_until": lease_until,
        "enqueued_at": None,
    }
    return claimed, changes


def _take_quota(session, row, cap: int, day: str) -> bool:
    """Count one paid message against the holder's cap for the day, in one statement: the
    day's counter is created at 1, or raised by one while it is under the cap."""
    if cap <= 0:
        return False
    holder_type, holder_id = quota_holder(row.recipient_type, row.recipient_id, row.address)
    keys = {
        "recipient_type": holder_type,
        "recipient_id": holder_id,
        "channel": row.channel,
        "day": day,
    }
    statement = dialect_insert(session, RateCounter).values(id=new_id(), used=1, **keys)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={"used": RateCounter.used + 1},
        where=RateCounter.used < cap,
    )
    return session.execute(statement.returning(RateCounter.used)).first() is not None


def _send(n: Notify, c: Claimed, email) -> Outcome:
    """One attempt; `email`: the task's e-mail connection (`connected()`)."""
    channels = n.channels
    try:
        if c.channel == "email":
            message = build_message(
                delivery_id=c.id,
                sender=n.settings.mail_from,
                to=c.address,
                subject=c.payload["subject"],
                text=c.payload["text"],
                html=c.payload.get("html"),
            )
            return email.send(message)
        if c.channel in ("sms", "alimtalk"):
            provider = channels.sms if c.channel == "sms" else channels.alimtalk
            return provider.send(
                TextMessage(
                    delivery_id=c.id,
                    channel=c.channel,
                    to=c.address,
                    text=c.payload["text"],
                    title=c.payload.get("title", ""),
                    template_code=c.payload.get("code"),
                    params=c.payload.get("params"),
                )
            )
        if c.channel == "webhook":
            if not c.secrets:
                return Outcome("permanent", None, "웹훅 서명 비밀값이 없습니다")
            return channels.webhook.send(c.address, c.id, c.payload["body"].encode(), c.secrets)
        return Outcome("permanent", None, f"알 수 없는 채널 {c.channel}")
    except Exception as exc:  # a bug or an unexpected library error: retry, keep the trace
        log.exception("delivery_send_error", delivery_id=c.id)
        return Outcome(RETRY, None, f"{exc.__class__.__name__}: {exc}"[:500])


def _settle(n: Notify, attempts: list[tuple[Claimed, Outcome]]) -> dict[str, str]:
    """Each attempt's result: the sent ones in one transaction (the common case), any
    other outcome in its own."""
    now = utcnow()
    sent = [(c, outcome) for c, outcome in attempts if outcome.verdict == OK]
    results = _settle_sent(n, sent, now) if sent else {}
    for c, outcome in attempts:
        if outcome.verdict != OK:
            results[c.id] = _settle_failed(n, c, outcome, now)
    return results


# One Core UPDATE compiled once for every sent row: only a row still ours (same attempt).
# Core, not the ORM's bulk UPDATE, which builds its bookkeeping for every statement.
_MARK_SENT = (
    update(_DELIVERIES)
    .where(
        _DELIVERIES.c.id == bindparam("claimed_id"),
        _DELIVERIES.c.status == SENDING,
        _DELIVERIES.c.attempts == bindparam("claimed_attempt"),
    )
    .values(
        status=SENT,
        sent_at=bindparam("now"),
        last_error=None,
        lease_until=None,
        response_code=bindparam("code"),
    )
)


def _settle_sent(n: Notify, sent: list[tuple[Claimed, Outcome]], now) -> dict[str, str]:
    """One conditional UPDATE each, no row loaded, all in one transaction."""
    with n.db.transaction() as session:
        connection = session.connection()
        still_ours = {
            c.id: connection.execute(
                _MARK_SENT,
                {
                    "claimed_id": c.id,
                    "claimed_attempt": c.attempt,
                    "now": now,
                    "code": outcome.response_code,
                },
            ).rowcount
            for c, outcome in sent
        }
    results = {}
    for c, _ in sent:
        if still_ours[c.id]:
            log.info("delivery_sent", delivery_id=c.id, channel=c.channel, attempt=c.attempt)
            results[c.id] = SENT
        else:
            log.warning("delivery_superseded", delivery_id=c.id, attempt=c.attempt)
            results[c.id] = "superseded"
    return results


def _settle_failed(n: Notify, c: Claimed, outcome: Outcome, now) -> str:
    settings = n.settings
    with n.db.transaction() as session:
        row = session.get(Delivery, c.id, with_for_update=True)
        if row is None or row.status != SENDING or row.attempts != c.attempt:
            log.warning("delivery_superseded", delivery_id=c.id, attempt=c.attempt)
            return "superseded"
        row.lease_until = None
        row.response_code = outcome.response_code
        if outcome.verdict == DEFERRED:  # nothing left: not counted against the allowance
            row.status, row.max_attempts = PENDING, row.max_attempts + 1
            row.next_attempt_at = now + timedelta(seconds=settings.delivery_defer_seconds)
            row.last_error = (
                outcome.error or "수신 서버가 이미 다른 메시지를 받고 있어 잠시 미뤘습니다"
            )
            log.info("delivery_deferred", delivery_id=c.id, channel=c.channel)
            return DEFERRED
        status, delay = after_failure(
            outcome,
            row.attempts,
            row.max_attempts,
            settings.delivery_backoff_base_seconds,
            settings.delivery_backoff_max_seconds,
        )
        row.status, row.last_error = status, (outcome.error or outcome.verdict)[:2000]
        row.next_attempt_at = now + timedelta(seconds=delay) if delay is not None else None
        if outcome.verdict == DISABLE and c.subscription_id:
            _disable_endpoint(session, c.subscription_id, outcome.error or "410 Gone")
        log.warning(
            "delivery_failed",
            delivery_id=c.id,
            channel=c.channel,
            attempt=c.attempt,
            status=status,
            error=row.last_error,
        )
        return status


def _disable_endpoint(session, subscription_id: str, reason: str) -> None:
    subscription = session.get(Subscription, subscription_id)
    if subscription is not None:
        subscription.active = False
        subscription.disabled_reason = reason[:200]
    session.execute(
        update(Delivery)
        .where(Delivery.subscription_id == subscription_id, Delivery.status.in_(DUE))
        .values(status=DEAD, last_error="수신 측이 웹훅을 중지해(410) 보내지 않았습니다")
    )


def sweep(n: Notify, *, limit: int = 500) -> int:
    """Enqueue due deliveries and those whose sender died; returns how many."""
    now = utcnow()
    stale = now - timedelta(seconds=n.settings.delivery_requeue_seconds)
    not_queued = or_(Delivery.enqueued_at.is_(None), Delivery.enqueued_at < stale)
    with n.db.transaction() as session:
        query = (
            select(Delivery)
            .where(
                or_(
                    and_(Delivery.status.in_(DUE), Delivery.next_attempt_at <= now),
                    and_(Delivery.status == SENDING, Delivery.lease_until < now),
                ),
                not_queued,
            )
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(session.scalars(query))
        for row in rows:
            row.enqueued_at = now
        ids = [(row.id, row.channel, row.address) for row in rows]
    if ids:
        n.enqueue(ids)
        log.info("deliveries_swept", count=len(ids))
    return len(ids)


__all__ = ["DEAD", "FAILED", "PENDING", "SENT", "send_deliveries", "send_delivery", "sweep"]
