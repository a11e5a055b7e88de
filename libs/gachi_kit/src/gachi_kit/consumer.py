"""Consumer side of events: each event id takes effect once, with a retry cap we keep.

Brokers redeliver (acks_late, a killed worker, the Redis visibility timeout) and relays may
publish twice, so a consumer records every event id it handles in its own database:

1. a short transaction counts the attempt, so a message that keeps killing its worker
   is parked as `dead` after `max_attempts` instead of looping for ever;
2. the handler's transaction first claims the event (`UPDATE ... WHERE status <> 'done'`)
   and only then applies its effects, so two deliveries racing each other produce one
   effect: the loser's claim matches no row once the winner commits.

A message on its first hand-over (`first_delivery`: the broker never gave it to a worker
before and it is not a retry) takes one transaction instead: it inserts the event's row as
done and applies the effects; a row already there (a duplicate, a replay, a resend) rolls
that back and takes the two steps above. Nothing is lost by skipping the count: a worker
killed inside that transaction leaves no row, and the broker hands the message over
again marked redelivered, which is counted. A handler that raises leaves the attempt
counted with its error before the task retries.

The events one producer committed together may come in one message (`consume_all`): on
their first hand-over they are recorded and applied in one transaction; otherwise, or if
that fails, each is consumed on its own as above.

A handler may leave writes for `finish`, which runs in the same transaction after the
handlers of all its events, before it commits: a batch's rows go in one statement per
table, not one per event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Integer, String, Text, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from structlog.contextvars import bind_contextvars

from gachi_kit.db import Database, UTCDateTime, insert_or_ignore, insert_or_ignore_many
from gachi_kit.events import Envelope, utcnow
from gachi_kit.logging import get_logger
from gachi_kit.metrics import counter

log = get_logger(__name__)
DEAD_EVENTS = counter(
    "gachi_events_dead_total",
    "events a consumer parked as dead after MAX_EVENT_ATTEMPTS (a poison message)",
    ("type",),
)

DONE, PROCESSING, DEAD = "done", "processing", "dead"
T = TypeVar("T")
R = TypeVar("R")
Handler = Callable[[Session, Envelope], None]
Finish = Callable[[Session], None] | None


class InboundEventMixin:
    """Columns of a service's `inbound_event` table."""

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default=PROCESSING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def consume(
    db: Database,
    model: type[InboundEventMixin],
    envelope: Envelope,
    handler: Handler,
    *,
    max_attempts: int = 5,
    first_delivery: bool = False,
    finish: Finish = None,
) -> str:
    """Run `handler` for `envelope` at most once; returns done, duplicate or dead."""
    if envelope.correlation_id:  # the event's own id ties these logs to the original request
        bind_contextvars(correlation_id=envelope.correlation_id)
    if not (first_delivery and _at_once(db, model, envelope, handler, finish)):
        result = _counted(db, model, envelope, handler, max_attempts, finish)
        if result != DONE:
            return result
    log.info("event_handled", event_id=envelope.id, type=envelope.type)
    return DONE


def consume_all(
    db: Database,
    model: type[InboundEventMixin],
    envelopes: Sequence[Envelope],
    handler: Handler,
    *,
    max_attempts: int = 5,
    first_delivery: bool = False,
    finish: Finish = None,
) -> tuple[list[str | None], Exception | None]:
    """`consume` for the events of one message, in order: each one's result (None for one
    that raised) and the first error, which the caller raises once it has acted on the rest.

    On a first hand-over, all of them in one transaction. If one of them was seen before,
    or a handler raises, that transaction is rolled back and each event is consumed on its
    own, so a poison event is counted and parked alone and the others take effect."""
    if (
        first_delivery
        and len(envelopes) > 1
        and _all_at_once(db, model, envelopes, handler, finish)
    ):
        for envelope in envelopes:
            if envelope.correlation_id:
                bind_contextvars(correlation_id=envelope.correlation_id)
            log.info("event_handled", event_id=envelope.id, type=envelope.type)
        return [DONE] * len(envelopes), None
    return each_event(
        envelopes,
        lambda envelope: consume(
            db,
            model,
            envelope,
            handler,
            max_attempts=max_attempts,
            first_delivery=first_delivery,
            finish=finish,
        ),
    )


def each_event(
    items: Sequence[T], handle: Callable[[T], R]
) -> tuple[list[R | None], Exception | None]:
    """Handle every item in order, past one that raises: the results (None where it
    raised) and the first error. Raising it makes the task retry; the items that took
    effect are duplicates then."""
    results: list[R | None] = []
    failure = None
    for item in items:
        try:
            results.append(handle(item))
        except Exception as exc:
            results.append(None)
            failure = failure or exc
    return results, failure


def _all_at_once(
    db: Database, model, envelopes: Sequence[Envelope], handler: Handler, finish: Finish
) -> bool:
    """Record every event as done and apply them in one transaction; False, with nothing
    done, when one was seen before or a handler raised."""
    try:
        with db.transaction() as session:
            rows = [_first_columns(envelope) for envelope in envelopes]
            done = [{**r, "attempts": 1, "status": DONE, "done_at": r["received_at"]} for r in rows]
            if insert_or_ignore_many(session, model, done) < len(done):
                raise _SeenBefore
            for envelope in envelopes:  # of several requests, when a worker batches messages
                if envelope.correlation_id:
                    bind_contextvars(correlation_id=envelope.correlation_id)
                handler(session, envelope)
            if finish is not None:
                finish(session)
    except Exception as exc:
        if not isinstance(exc, _SeenBefore):
            log.warning("event_batch_failed", events=len(envelopes), error=repr(exc)[:200])
        return False
    return True


class _SeenBefore(Exception):
    """One event of a batch already has its row: roll the batch back."""


def _counted(
    db: Database, model, envelope: Envelope, handler: Handler, max_attempts: int, finish: Finish
) -> str:
    """Count the attempt in its own transaction, then claim the row and apply the handler."""
    with db.transaction() as session:
        row = session.get(model, envelope.id)
        if row is None:
            row = model(**_first_columns(envelope), status=PROCESSING, attempts=0)
            session.add(row)
        if row.status == DONE:
            return "duplicate"
        if row.status == DEAD:
            return DEAD
        row.attempts += 1
        if row.attempts > max_attempts:
            row.status = DEAD
            log.error("event_dead", event_id=envelope.id, type=envelope.type)
            consumer = model.__module__.split(".")[0]  # notify.adapters.models -> notify
            DEAD_EVENTS.labels(consumer, envelope.type).inc()
            return DEAD

    try:
        with db.transaction() as session:
            claimed = session.execute(
                update(model)
                .where(model.id == envelope.id, model.status == PROCESSING)
                .values(status=DONE, done_at=utcnow())
            ).rowcount
            if not claimed:
                return "duplicate"
            handler(session, envelope)
            if finish is not None:
                finish(session)
    except Exception as exc:
        with db.transaction() as session:
            session.execute(
                update(model).where(model.id == envelope.id).values(last_error=repr(exc)[:2000])
            )
        raise
    return DONE


def _at_once(db: Database, model, envelope: Envelope, handler: Handler, finish: Finish) -> bool:
    """Record the event as done and apply it in one transaction; False (nothing done) when
    its row already exists."""
    row = {**_first_columns(envelope), "attempts": 1}
    try:
        with db.transaction() as session:
            done = {**row, "status": DONE, "done_at": row["received_at"]}
            if not insert_or_ignore(session, model, done):
                return False
            handler(session, envelope)
            if finish is not None:
                finish(session)
    except Exception as exc:
        # the attempt counts, as in the two-step path (a row already there is another
        # delivery's, which counts its own)
        failed = {**row, "status": PROCESSING, "last_error": repr(exc)[:2000]}
        with db.transaction() as session:
            insert_or_ignore(session, model, failed)
        raise
    return True


def _first_columns(envelope: Envelope) -> dict:
    """What an `inbound_event` row records of the event when it is first seen."""
    return {
        "id": envelope.id,
        "type": envelope.type,
        "source": envelope.source,
        "received_at": utcnow(),
    }
