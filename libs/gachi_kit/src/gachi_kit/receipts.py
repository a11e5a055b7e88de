"""Consumers confirm the events they received, so a message the broker lost is sent again.

A consumer has received an event once its `inbound_event` table holds the id (`consume`
writes it before anything else; from then on the consumer's own retries own it). The
producer's periodic sweep (`sweep`, the beat task `<service>.relay_outbox`) ends with
`confirm(outbox)`: events sent `outbox.confirm_after` seconds ago or more are looked up
at each consumer (one call per consumer and batch), confirmed when every consumer has
them, and sent again to the consumers that do not, waiting twice as long after each
resend. A resend of a message that was only slow is a duplicate the consumer's dedupe
absorbs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select, update

from gachi_kit.auth import ServiceTokens
from gachi_kit.consumer import InboundEventMixin
from gachi_kit.db import Database
from gachi_kit.events import Envelope, utcnow
from gachi_kit.http import ServiceClient
from gachi_kit.logging import get_logger
from gachi_kit.outbox import Outbox, ReceiptLookup
from gachi_kit.tracing import continued_trace

log = get_logger(__name__)
RECEIVED_PATH = "/v1/ops/events/received"  # a consumer service's lookup, for service tokens
MAX_IDS_PER_LOOKUP = 500
MAX_RESEND_DOUBLINGS = 10  # the wait after a resend grows to at most 1024 x confirm_after


class Due(NamedTuple):
    """An event due to be confirmed, as read from its outbox row."""

    envelope: Envelope
    resends: int
    trace_parent: str | None


def received_ids(db: Database, model: type[InboundEventMixin], ids: list[str]) -> set[str]:
    """Which of `ids` this consumer has received (whatever became of them since)."""
    with db.reading() as session:
        return set(session.scalars(select(model.id).where(model.id.in_(ids))))


def in_table(db: Database, model: type[InboundEventMixin]) -> ReceiptLookup:
    """The lookup for a consumer in the producer's own database (orders' re-routing saga)."""
    return lambda ids: received_ids(db, model, ids)


def over_http(consumer: str, base_url: str, tokens: ServiceTokens) -> ReceiptLookup:
    """The lookup for a consumer service, asked at RECEIVED_PATH with our service token."""
    client = ServiceClient(
        base_url, token=lambda: tokens.for_audience(consumer), retry_methods=("POST",)
    )

    def lookup(ids: list[str]) -> set[str]:
        response = client.post(RECEIVED_PATH, json={"ids": ids})
        response.raise_for_status()
        return set(response.json()["received"])

    return lookup


def sweep(outbox: Outbox) -> int:
    """The periodic sweep: publish what the after-commit relay missed, then confirm what was
    sent long enough ago. Returns how many rows it published."""
    published = outbox.publish()
    confirm(outbox)
    return published


def confirm(outbox: Outbox, *, limit: int = 200) -> tuple[int, int]:
    """One sweep of the events due to be confirmed; returns (confirmed, resent)."""
    if not outbox.receipts:
        return 0, 0
    model = outbox.model
    now = utcnow()
    with outbox.db.reading() as session:
        rows = session.scalars(
            select(model)
            .where(model.check_after <= now, model.confirmed_at.is_(None))
            .order_by(model.check_after)
            .limit(min(limit, MAX_IDS_PER_LOOKUP))
        ).all()
        due = {row.id: Due(row.envelope(), row.resends, row.trace_parent) for row in rows}
    missing, unanswered = _ask_consumers(outbox, due)
    confirmed = [
        event_id
        for event_id, event in due.items()
        if event_id not in missing
        and not unanswered & set(outbox.consumers_of(event.envelope.type))
    ]
    resent = _send_again(
        outbox, {event_id: (due[event_id], missing[event_id]) for event_id in missing}
    )
    if confirmed or resent:
        with outbox.db.transaction() as session:
            if confirmed:
                session.execute(
                    update(model)
                    .where(model.id.in_(confirmed))
                    .values(confirmed_at=now, check_after=None)
                )
            for event_id, resends in resent.items():
                wait = outbox.confirm_after * 2 ** min(resends, MAX_RESEND_DOUBLINGS)
                session.execute(
                    update(model)
                    .where(model.id == event_id)
                    .values(resends=resends, check_after=now + timedelta(seconds=wait))
                )
    return len(confirmed), len(resent)


def _ask_consumers(outbox: Outbox, due: Mapping[str, Due]) -> tuple[dict[str, list[str]], set[str]]:
    """({event id: consumers that have not received it}, consumers that did not answer)."""
    asked: dict[str, list[str]] = {}
    for event_id, event in due.items():
        for consumer in outbox.consumers_of(event.envelope.type):
            asked.setdefault(consumer, []).append(event_id)
    missing: dict[str, list[str]] = {}
    unanswered: set[str] = set()
    for consumer, ids in asked.items():
        try:
            received = outbox.receipts[consumer](ids)
        except Exception as exc:  # down or refusing: ask again at the next sweep
            log.warning("outbox_receipts_unavailable", consumer=consumer, error=str(exc))
            unanswered.add(consumer)
            continue
        for event_id in ids:
            if event_id not in received:
                missing.setdefault(event_id, []).append(consumer)
    return missing, unanswered


def _send_again(outbox: Outbox, lacking: Mapping[str, tuple[Due, list[str]]]) -> dict[str, int]:
    """Send each event, in its trace, to the consumers lacking it: {event id: its resends
    now}."""
    resent: dict[str, int] = {}
    if not lacking:
        return resent
    try:
        with outbox.celery.producer_or_acquire() as producer:
            for event_id, (event, consumers) in lacking.items():
                with continued_trace(event.trace_parent):
                    outbox.send(event.envelope, retry=False, producer=producer, consumers=consumers)
                resent[event_id] = event.resends + 1
                log.warning(
                    "outbox_resent",
                    event_id=event_id,
                    type=event.envelope.type,
                    consumers=consumers,
                    resends=event.resends + 1,
                )
    except Exception as exc:  # broker down: the next sweep asks again
        log.warning("outbox_resend_failed", error=str(exc))
    return resent
