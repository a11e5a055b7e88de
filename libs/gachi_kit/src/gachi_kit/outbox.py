"""Transactional outbox: events are rows written with the business change, then relayed.

`record_event` adds a row to the caller's session, so the event commits or rolls back with
the change that caused it. Right after commit the relay publishes those rows as Celery
tasks sent by name to each consumer's queue; a periodic sweep publishes whatever that
missed (broker down, process killed between commit and publish). Delivery is therefore
at-least-once and consumers dedupe by event id (see `consumer.py`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from datetime import datetime

from celery import Celery
from sqlalchemy import JSON, Integer, String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from gachi_kit.celery import CORRELATION_TASK_HEADER
from gachi_kit.db import Database, UTCDateTime
from gachi_kit.events import Envelope, utcnow
from gachi_kit.logging import current_correlation_id, get_logger

log = get_logger(__name__)
_PENDING_KEY = "gachi_outbox_pending"


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

    def envelope(self) -> Envelope:
        return Envelope(
            id=self.id,
            type=self.type,
            version=self.version,
            occurred_at=self.occurred_at.isoformat(),
            source=self.source,
            correlation_id=self.correlation_id,
            data=self.data,
        )


class Outbox:
    """Writes events into a service's outbox table and relays them to consumer queues.

    `routes` maps an event-type pattern (fnmatch, e.g. `supplier_order.*`) to the consumer
    services that want it; each consumer is reached as task `<consumer>.handle_event` on
    queue `<consumer>`.
    """

    def __init__(
        self,
        *,
        source: str,
        model: type[OutboxMixin],
        db: Database,
        celery: Celery,
        routes: Mapping[str, Sequence[str]],
    ) -> None:
        self.source = source
        self.model = model
        self.db = db
        self.celery = celery
        self.routes = dict(routes)
        event.listen(db.sessions, "after_commit", self._after_commit)
        event.listen(db.sessions, "after_soft_rollback", self._after_rollback)

    def record(
        self, session: Session, type: str, data: dict, *, aggregate_id: str | None = None
    ) -> Envelope:
        envelope = Envelope(
            type=type, source=self.source, data=data, correlation_id=current_correlation_id()
        )
        session.add(
            self.model(
                id=envelope.id,
                type=envelope.type,
                version=envelope.version,
                source=envelope.source,
                correlation_id=envelope.correlation_id,
                occurred_at=datetime.fromisoformat(envelope.occurred_at),
                aggregate_id=aggregate_id,
                data=envelope.data,
                publish_attempts=0,
            )
        )
        session.info.setdefault(_PENDING_KEY, []).append(envelope)
        return envelope

    def consumers_of(self, event_type: str) -> list[str]:
        found: list[str] = []
        for pattern, consumers in self.routes.items():
            if fnmatch.fnmatchcase(event_type, pattern):
                found.extend(c for c in consumers if c not in found)
        return found

    # -- relay ---------------------------------------------------------------------------

    def _after_commit(self, session: Session) -> None:
        envelopes = session.info.pop(_PENDING_KEY, None)
        if envelopes:  # a caller is waiting: one attempt, bounded by the Redis timeouts
            self._relay(envelopes)

    def _relay(self, envelopes: Sequence[Envelope]) -> None:
        """Right after commit: send the events this transaction recorded as they are in
        memory (nothing is read back) over one broker connection, then mark them in one
        UPDATE. What could not be sent stays unpublished, its attempt counted, for the
        sweep."""
        sent: list[str] = []
        failed: str | None = None
        try:
            with self.celery.producer_or_acquire() as producer:
                for envelope in envelopes:
                    self._send(envelope, retry=False, producer=producer)
                    sent.append(envelope.id)
        except Exception as exc:  # broker down: leave the rest for the sweep
            failed = envelopes[len(sent)].id
            log.warning("outbox_publish_failed", event_id=failed, error=str(exc))
        model = self.model
        try:
            with self.db.transaction() as session:
                if sent:
                    session.execute(
                        update(model)
                        .where(model.id.in_(sent), model.published_at.is_(None))
                        .values(published_at=utcnow(), publish_attempts=model.publish_attempts + 1)
                    )
                if failed:
                    session.execute(
                        update(model)
                        .where(model.id == failed)
                        .values(publish_attempts=model.publish_attempts + 1)
                    )
        except Exception as exc:  # the database failed: the sweep sends them again
            log.warning("outbox_relay_failed", error=str(exc))

    def _after_rollback(self, session: Session, _previous_transaction) -> None:
        session.info.pop(_PENDING_KEY, None)

    def publish(
        self, ids: Sequence[str] | None = None, *, limit: int = 200, retry: bool = True
    ) -> int:
        """Publish the given (or the oldest unpublished) rows; returns how many were sent.

        Never raises for a broker outage: what could not be sent stays unpublished for the
        sweep. Rows are locked with SKIP LOCKED on PostgreSQL so two relays rarely send the
        same row; when they do, consumers dedupe.
        """
        sent = 0
        try:
            with self.db.transaction() as session:
                query = select(self.model).where(self.model.published_at.is_(None))
                if ids is not None:
                    query = query.where(self.model.id.in_(list(ids)))
                query = query.order_by(self.model.id).limit(limit).with_for_update(skip_locked=True)
                for row in session.scalars(query):
                    row.publish_attempts += 1
                    try:
                        self._send(row.envelope(), retry=retry)
                    except Exception as exc:  # broker down: leave it for the sweep
                        log.warning("outbox_publish_failed", event_id=row.id, error=str(exc))
                        break
                    row.published_at = utcnow()
                    sent += 1
        except Exception as exc:  # the database itself failed; the sweep will retry
            log.warning("outbox_relay_failed", error=str(exc))
        return sent

    def _send(self, envelope: Envelope, *, retry: bool, producer=None) -> None:
        for consumer in self.consumers_of(envelope.type):
            self.celery.send_task(
                f"{consumer}.handle_event",
                args=[envelope.message()],
                # Celery would otherwise walk the whole event to build a repr for its logs
                argsrepr=f"[<{envelope.type} {envelope.id}>]",
                queue=consumer,
                headers={CORRELATION_TASK_HEADER: envelope.correlation_id},
                retry=retry,
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                producer=producer,
            )
        log.info("outbox_published", event_id=envelope.id, type=envelope.type)
