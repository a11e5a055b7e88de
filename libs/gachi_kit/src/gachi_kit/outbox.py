"""Transactional outbox: events are rows written with the business change, then relayed.

`record` adds a row to the caller's session, so the event commits or rolls back with the
change that caused it. Right after commit the committed ids are handed to the process's
background publisher (`Publisher`: a bounded queue and one daemon thread), which sends the
rows as Celery tasks by name to each consumer's queue (the events of one commit in one
message per consumer); the response never waits on the broker. A periodic sweep publishes
whatever that missed (queue full, broker down, process killed between commit and publish).
Delivery is therefore at-least-once and consumers dedupe by event id (see `consumer.py`).

A message the broker accepted can still be lost: kombu's Redis transport takes a message
with BRPOP and records it as unacknowledged with a second command, so a worker or Redis
killed between the two loses it. So each sent event is also confirmed: `confirm_after`
seconds after sending, the sweep asks each consumer which of its events it has received
and sends the missing ones again (`receipts.confirm`).
"""

from __future__ import annotations

import atexit
import fnmatch
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache

from celery import Celery
from sqlalchemy import JSON, Integer, String, Table, Update, bindparam, event, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from gachi_kit.celery import CORRELATION_TASK_HEADER, pipelined
from gachi_kit.db import Database, UTCDateTime, insert_rows
from gachi_kit.events import Envelope, utcnow
from gachi_kit.logging import current_correlation_id, get_logger
from gachi_kit.timeouts import CONFIRM_AFTER_SECONDS
from gachi_kit.tracing import continued_trace, current_trace_parent

log = get_logger(__name__)
_PENDING_KEY = "gachi_outbox_pending"
# Committed batches waiting for the background publisher; beyond this they wait for the sweep.
PUBLISH_QUEUE_SIZE = 1000
# After a failed publish the broker counts as down this long: batches go to the sweep at
# once instead of each waiting out the Redis timeouts in turn.
BROKER_DOWN_SECONDS = 5.0
# Committed batches the publisher sends together when they have queued up behind a send.
BATCHES_PER_PUBLISH = 20
# Events of one trace sent to a consumer in one `handle_events` message, at most this many.
EVENTS_PER_MESSAGE = 50
# consumer name -> which of these event ids it has received (see receipts.py)
ReceiptLookup = Callable[[list[str]], set[str]]


class OutboxMixin:
    """Columns of a service's `outbox` table; the service maps it on its own Base."""

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(40))
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    aggregate_id: Mapped[str | None] = mapped_column(String(26), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # when the sweep next asks the consumers about it; NULL once confirmed (or never asked)
    check_after: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the W3C traceparent of the request that recorded it: sent later, it stays in that trace
    trace_parent: Mapped[str | None] = mapped_column(String(64))

    def envelope(self) -> Envelope:
        return to_send(self)[0]


def to_send(row) -> tuple[Envelope, str | None]:
    """An outbox row (mapped, or a plain row of its table) as the event to send and the
    trace that recorded it."""
    envelope = Envelope(
        id=row.id,
        type=row.type,
        version=row.version,
        occurred_at=row.occurred_at.isoformat(),
        source=row.source,
        correlation_id=row.correlation_id,
        data=row.data,
    )
    return envelope, row.trace_parent


class Outbox:
    """Writes events into a service's outbox table and relays them to consumer queues.

    `routes` maps an event-type pattern (fnmatch, e.g. `supplier_order.*`) to the consumer
    services that want it; each consumer is reached on queue `<consumer>`, as task
    `<consumer>.handle_event` for one event and `<consumer>.handle_events` for the events
    one trace recorded (`consumer.consume_all`), so every consumer registers both.
    """

    def __init__(
        self,
        *,
        source: str,
        model: type[OutboxMixin],
        db: Database,
        celery: Celery,
        routes: Mapping[str, Sequence[str]],
        receipts: Mapping[str, ReceiptLookup] | None = None,
        confirm_after: float = CONFIRM_AFTER_SECONDS,
    ) -> None:
        """`receipts` (optional) gives, for every consumer in `routes`, how to ask it which
        events it received; with it, sent events are confirmed (`receipts.confirm`)."""
        self.source = source
        self.model = model
        self.db = db
        self.celery = celery
        self.routes = dict(routes)
        self.receipts = dict(receipts or {})
        unasked = {c for cs in self.routes.values() for c in cs} - set(self.receipts)
        if self.receipts and unasked:  # confirming some consumers only would look safe
            raise ValueError(f"no receipt lookup for consumers {sorted(unasked)}")
        self.confirm_after = confirm_after
        self.publisher = Publisher(self._publish_batch)
        # OUTBOX_PUBLISH=inline: publish in the committing thread, as before the publisher
        # existed (bench/order_flow.py --publish inline measures the difference)
        self.inline = os.environ.get("OUTBOX_PUBLISH") == "inline"
        event.listen(db.sessions, "after_commit", self._after_commit)
        event.listen(db.sessions, "after_soft_rollback", self._after_rollback)

    def record(
        self, session: Session, type: str, data: dict, *, aggregate_id: str | None = None
    ) -> Envelope:
        envelope = Envelope(
            type=type, source=self.source, data=data, correlation_id=current_correlation_id()
        )
        row = {
            "id": envelope.id,
            "type": envelope.type,
            "version": envelope.version,
            "source": envelope.source,
            "correlation_id": envelope.correlation_id,
            "occurred_at": datetime.fromisoformat(envelope.occurred_at),
            "aggregate_id": aggregate_id,
            "data": envelope.data,
            "publish_attempts": 0,
            "trace_parent": current_trace_parent(),
        }
        insert_rows(session, self.model, [row])  # Core: nobody reads it back as an object
        session.info.setdefault(_PENDING_KEY, []).append(envelope.id)
        return envelope

    def consumers_of(self, event_type: str) -> list[str]:
        found: list[str] = []
        for pattern, consumers in self.routes.items():
            if fnmatch.fnmatchcase(event_type, pattern):
                found.extend(c for c in consumers if c not in found)
        return found

    # -- relay ---------------------------------------------------------------------------

    def _after_commit(self, session: Session) -> None:
        ids = session.info.pop(_PENDING_KEY, None)
        if not ids:
            return
        if self.inline or self.db.single_connection:  # a test's rolled-back connection
            self.publish(ids, retry=False)
        else:  # a caller is waiting: never on the broker
            self.publisher.submit(ids)

    def _publish_batch(self, ids: Sequence[str]) -> bool:
        """The background publisher's call: one attempt; False when the broker failed."""
        return self._relay(ids, limit=len(ids), retry=False)[1]

    def _after_rollback(self, session: Session, _previous_transaction) -> None:
        session.info.pop(_PENDING_KEY, None)

    def publish(
        self, ids: Sequence[str] | None = None, *, limit: int = 200, retry: bool = True
    ) -> int:
        """Publish the given (or the oldest unpublished) rows; returns how many were sent.

        Never raises for a broker outage: what could not be sent stays unpublished for the
        sweep. On PostgreSQL the rows are locked with SKIP LOCKED while they are sent, so two
        relays (two workers, two instances) send each row once; the locks stop only other
        relays. On SQLite a write transaction would stop every writer while the broker
        answers, so the rows are read, sent with no transaction open, then marked: two
        relays may send a row twice now and then, and consumers dedupe by event id.
        """
        return self._relay(ids, limit=limit, retry=retry)[0]

    def _relay(self, ids: Sequence[str] | None, *, limit: int, retry: bool) -> tuple[int, bool]:
        """(rows sent, whether nothing failed)."""
        table = self.model.__table__  # plain rows: nothing here needs an ORM object
        query = select(table).where(table.c.published_at.is_(None))
        if ids is not None:
            query = query.where(table.c.id.in_(list(ids)))
        query = query.order_by(table.c.id).limit(limit)
        try:
            if self.db.engine.dialect.name == "postgresql":
                with self.db.transaction() as session:
                    rows = session.execute(query.with_for_update(skip_locked=True)).all()
                    tried, sent = self._send_all([to_send(row) for row in rows], retry)
                    self._mark(session, tried, sent)
            else:
                with self.db.reading() as session:
                    envelopes = [to_send(row) for row in session.execute(query)]
                tried, sent = self._send_all(envelopes, retry)
                if tried:
                    with self.db.transaction() as session:
                        self._mark(session, tried, sent)
        except Exception as exc:  # the database itself failed; the sweep will retry
            log.warning("outbox_relay_failed", error=str(exc))
            return 0, False
        return len(sent), len(sent) == len(tried)

    def _send_all(
        self, envelopes: list[tuple[Envelope, str | None]], retry: bool
    ) -> tuple[list[str], list[str]]:
        """Send together (`pipelined`), each message in the trace that recorded its events:
        (ids tried, ids sent). A failure sends none of them as far as we know, so all stay
        for the sweep."""
        tried = [envelope.id for envelope, _ in envelopes]
        if not envelopes:
            return tried, []
        try:
            with pipelined(self.celery) as producer:
                for consumer, trace_parent, together in self._messages(envelopes):
                    with continued_trace(trace_parent):
                        self._send_to(consumer, together, retry=retry, producer=producer)
        except Exception as exc:  # broker down: leave them for the sweep
            log.warning("outbox_publish_failed", event_ids=tried[:20], error=str(exc))
            return tried, []
        return tried, tried

    def _messages(
        self, envelopes: list[tuple[Envelope, str | None]]
    ) -> Iterator[tuple[str, str | None, list[Envelope]]]:
        """One message per consumer for the events recorded in one trace (usually one
        commit: an order and its supplier orders), in order, at most EVENTS_PER_MESSAGE."""
        groups: dict[tuple[str, str | None, str | None], list[Envelope]] = {}
        for envelope, trace_parent in envelopes:
            for consumer in self.consumers_of(envelope.type):
                key = (consumer, trace_parent, envelope.correlation_id)
                groups.setdefault(key, []).append(envelope)
        for (consumer, trace_parent, _), group in groups.items():
            for start in range(0, len(group), EVENTS_PER_MESSAGE):
                yield consumer, trace_parent, group[start : start + EVENTS_PER_MESSAGE]

    def _mark(self, session: Session, tried: list[str], sent: list[str]) -> None:
        """Count an attempt on every row tried; stamp the sent ones (usually one UPDATE).
        Core statements: nothing of these rows is loaded in the session."""
        stamp_sent, count_failed = _marking(self.model.__table__, bool(self.receipts))
        connection = session.connection()
        if sent:
            now = utcnow()
            stamped = {"ids": sent, "now": now}
            if self.receipts:
                stamped["check_after"] = now + timedelta(seconds=self.confirm_after)
            connection.execute(stamp_sent, stamped)
        if failed := tried[len(sent) :]:
            connection.execute(count_failed, {"ids": failed})

    def send(
        self,
        envelope: Envelope,
        *,
        retry: bool,
        producer=None,
        consumers: Sequence[str] | None = None,
    ) -> None:
        """One event in a message of its own to each consumer (receipts' resend, replays)."""
        for consumer in self.consumers_of(envelope.type) if consumers is None else consumers:
            self._send_to(consumer, [envelope], retry=retry, producer=producer)

    def _send_to(self, consumer: str, envelopes: list[Envelope], *, retry: bool, producer) -> None:
        """`<consumer>.handle_event` for one event, `<consumer>.handle_events` for several."""
        first = envelopes[0]
        if len(envelopes) == 1:
            task, args = "handle_event", [first.message()]
            # Celery would otherwise walk the whole event to build a repr for its logs
            argsrepr = f"[<{first.type} {first.id}>]"
        else:
            task, args = "handle_events", [[envelope.message() for envelope in envelopes]]
            argsrepr = f"[<{len(envelopes)} events from {first.type} {first.id}>]"
        self.celery.send_task(
            f"{consumer}.{task}",
            args=args,
            argsrepr=argsrepr,
            queue=consumer,
            headers={CORRELATION_TASK_HEADER: first.correlation_id},
            retry=retry,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
            producer=producer,
        )
        for envelope in envelopes:
            log.info("outbox_published", event_id=envelope.id, type=envelope.type)


@cache
def _marking(table: Table, confirming: bool) -> tuple[Update, Update]:
    """The relay's two UPDATEs for an outbox table, built once (a statement keeps its cache
    key): stamp the sent rows (the first stamp stays; `check_after` set only when receipts
    are awaited) and count an attempt on the failed ones."""
    rows = table.c.id.in_(bindparam("ids", expanding=True))
    attempted = table.c.publish_attempts + 1
    stamp = {
        "published_at": func.coalesce(
            table.c.published_at, bindparam("now", type_=table.c.published_at.type)
        ),
        "publish_attempts": attempted,
    }
    if confirming:
        stamp["check_after"] = bindparam("check_after", type_=table.c.check_after.type)
    stamp_sent = update(table).where(rows).values(**stamp)
    return stamp_sent, update(table).where(rows).values(publish_attempts=attempted)


class Publisher:
    """Publishes committed events off the request thread, one daemon thread per process.

    `submit` never blocks: a full queue, or a broker that failed in the last
    `BROKER_DOWN_SECONDS`, leaves the batch to the sweep (the rows are committed and
    unpublished, so nothing is lost). The thread starts on first use in each process, so a
    forked worker (gunicorn, Celery prefork) gets its own; at exit it gets a moment to finish.
    """

    def __init__(self, publish: Callable[[Sequence[str]], bool]) -> None:
        self._publish = publish
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue(PUBLISH_QUEUE_SIZE)
        self._down_until = 0.0

    def submit(self, ids: Sequence[str]) -> bool:
        """Queue `ids` for publishing; False when they are left to the sweep."""
        if time.monotonic() < self._down_until:
            return False
        self._ensure_thread()
        try:
            self._queue.put_nowait(list(ids))
        except queue.Full:
            log.warning("outbox_publish_queue_full", events=len(ids))
            return False
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted batch was tried (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._queue = queue.Queue(PUBLISH_QUEUE_SIZE)  # not the parent's, after a fork
            threading.Thread(target=self._run, name="outbox-publisher", daemon=True).start()
            atexit.register(self.flush, 2.0)
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            batches = self._waiting()
            try:
                ids = [event_id for batch in batches for event_id in batch]
                if time.monotonic() >= self._down_until and not self._publish(ids):
                    self._down_until = time.monotonic() + BROKER_DOWN_SECONDS
            except Exception as exc:  # never let the thread die; the sweep has the rows
                log.warning("outbox_publisher_failed", error=str(exc))
            finally:
                for _ in batches:
                    self._queue.task_done()

    def _waiting(self) -> list[list[str]]:
        """The next batch and those committed while the last was being sent, up to
        BATCHES_PER_PUBLISH: under load one read, one pipelined send and one stamp serve
        several commits (messages stay one per trace, see `Outbox._messages`)."""
        batches = [self._queue.get()]
        while len(batches) < BATCHES_PER_PUBLISH:
            try:
                batches.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batches
