"""Dead events, for operators: list the events a consumer gave up on, and replay one.

`consume` parks an event as `dead` after its attempts ran out (a poison message). Once its
handler or its data is fixed, an admin replays it: its attempts start from zero and it is
queued once more for the same consumer; its effects still happen once (the event id).
Each consumer says where the envelope is kept (notify keeps it in `inbound_event`; orders
reads its own outbox, since its saga consumes its own events) and how to queue it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from gachi_kit.auth import Principal, require_roles
from gachi_kit.consumer import DEAD, PROCESSING, InboundEventMixin
from gachi_kit.db import Database
from gachi_kit.errors import Problem, invalid_transition, not_found, unavailable
from gachi_kit.logging import get_logger
from gachi_kit.paging import PageQuery, keyset_page

log = get_logger(__name__)
# (session, the dead row) -> the envelope as it first arrived, or None if it was not kept
EnvelopeOf = Callable[[Session, InboundEventMixin], dict | None]


class DeadEvent(Schema):
    """An event the consumer gave up on after MAX_EVENT_ATTEMPTS (a poison message)."""

    id = fields.String()
    type = fields.String()
    source = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    received_at = fields.DateTime()


class DeadEventPage(Schema):
    items = fields.List(fields.Nested(DeadEvent))
    next_cursor = fields.String(allow_none=True)


class DeadEventQuery(PageQuery):
    type = fields.String(load_default=None, validate=validate.Length(1, 100))


class ReplayedEvent(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "processing: 다시 처리하도록 대기열에 넣음"})
    attempts = fields.Integer()


def list_dead(db: Database, model: type[InboundEventMixin], query: dict) -> dict:
    """Dead events, newest first, with their last error."""
    stmt = select(model).where(model.status == DEAD)
    if query.get("type"):
        stmt = stmt.where(model.type == query["type"])
    with db.reading() as session:
        page = keyset_page(session, stmt, query, order_by=(model.id,), descending=True)
    return page.as_dict()


def replay_dead(
    db: Database,
    model: type[InboundEventMixin],
    event_id: str,
    by: Principal,
    *,
    envelope_of: EnvelopeOf,
    send: Callable[[dict], None],
) -> dict:
    """Give a dead event its attempts back and queue it once more. 404 unknown, 409 when it
    is not dead or was not kept, 503 when the broker refuses (it stays dead)."""
    with db.transaction() as session:
        row = session.get(model, event_id, with_for_update=True)
        if row is None:
            raise not_found("event", "이벤트")
        if row.status != DEAD:
            raise invalid_transition(row.status, "실패(dead) 상태인 이벤트만 다시 처리합니다.")
        envelope = envelope_of(session, row)
        if envelope is None:
            raise Problem(
                409,
                "event_not_replayable",
                "다시 처리할 수 없는 이벤트입니다",
                "이벤트 내용이 저장되지 않았습니다. 보낸 서비스에서 다시 발행해 주세요.",
            )
        row.status, row.attempts, row.done_at = PROCESSING, 0, None
        previous_error = row.last_error
    try:
        send(envelope)
    except Exception as exc:  # not queued: leave it dead, as it was, for another try
        with db.transaction() as session:
            session.get(model, event_id).status = DEAD
        log.warning("dead_event_replay_failed", event_id=event_id, error=str(exc))
        raise unavailable(
            "broker_unavailable", "작업 대기열에 넣지 못했습니다. 잠시 뒤 다시 시도해 주세요."
        ) from exc
    log.warning(
        "dead_event_replayed",
        event_id=event_id,
        type=envelope["type"],
        by=by.sub,
        role=by.role,
        previous_error=previous_error,
    )
    return {"id": event_id, "status": PROCESSING, "attempts": 0}


def add_routes(blp, *, listed: Callable[[dict], dict], replayed: Callable[[str], dict]) -> None:
    """`GET /dead-events` and `POST /dead-events/<id>/replay` (admins) on an ops blueprint."""

    @blp.route("/dead-events")
    class DeadEvents(MethodView):
        @require_roles("admin")
        @blp.arguments(DeadEventQuery, location="query")
        @blp.response(200, DeadEventPage)
        def get(self, query):
            """Events this service gave up on after `MAX_EVENT_ATTEMPTS` (poison messages),
            newest first, with the last error; each is also counted in
            `gachi_events_dead_total`."""
            return listed(query)

    @blp.route("/dead-events/<event_id>/replay")
    class ReplayEvent(MethodView):
        @require_roles("admin")
        @blp.response(202, ReplayedEvent)
        def post(self, event_id):
            """Handle a dead event again (after the handler or its data was fixed): its
            attempts start from zero and it is queued once. 404 unknown, 409
            `invalid_transition` when it is not dead. Logged as `dead_event_replayed` with
            who asked."""
            return replayed(event_id)
