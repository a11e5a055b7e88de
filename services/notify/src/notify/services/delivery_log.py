"""The delivery log (what was sent to whom, visible to its recipients) and the operator's
dead letters (listed, put back to pending)."""

from __future__ import annotations

import json

from sqlalchemy import and_, or_, select

from gachi_kit.auth import Principal
from gachi_kit.errors import not_found
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger
from gachi_kit.paging import keyset_page
from notify.adapters.models import Delivery, Subscription
from notify.domain.delivery import DEAD, PENDING
from notify.domain.recipients import recipients_of
from notify.wiring import Notify

log = get_logger(__name__)


def _visible(actor: Principal):
    if actor.role == "admin":
        return None
    mine = recipients_of(actor.role, actor.sub, actor.org, actor.dept)
    return or_(*(and_(Delivery.recipient_type == t, Delivery.recipient_id == i) for t, i in mine))


def list_deliveries(n: Notify, actor: Principal, query: dict) -> dict:
    """Newest first; `query`: limit, cursor and the filters below."""
    stmt = select(Delivery)
    visible = _visible(actor)
    if visible is not None:
        stmt = stmt.where(visible)
    for name in (
        "recipient_type",
        "recipient_id",
        "event_id",
        "event_type",
        "status",
        "channel",
        "subject_id",
    ):
        if query.get(name):
            stmt = stmt.where(getattr(Delivery, name) == query[name])
    with n.db.reading() as session:
        page = keyset_page(session, stmt, query, order_by=(Delivery.id,), descending=True)
    return page.as_dict()


def get_delivery(n: Notify, actor: Principal, delivery_id: str) -> Delivery:
    query = select(Delivery).where(Delivery.id == delivery_id)
    visible = _visible(actor)
    if visible is not None:
        query = query.where(visible)
    with n.db.reading() as session:
        row = session.scalar(query)
    if row is None:
        raise not_found("delivery", "발송 기록")
    return row


def replay(n: Notify, fields: dict) -> dict:
    """Operator: put dead deliveries back to `pending` (attempts from zero), by ids or by
    filter, at most `limit`. A delivery whose subscription is off is left dead."""
    now = utcnow()
    ids = fields.get("ids")
    query = select(Delivery)
    if ids:
        query = query.where(Delivery.id.in_(ids))
    else:
        query = query.where(Delivery.status == DEAD)
        for name in ("channel", "event_type", "recipient_type", "recipient_id", "event_id"):
            if fields.get(name):
                query = query.where(getattr(Delivery, name) == fields[name])
    query = query.order_by(Delivery.id).limit(fields["limit"])
    replayed, skipped, queued = [], [], []
    with n.db.transaction() as session:
        rows = {row.id: row for row in session.scalars(query)}
        for delivery_id in ids or list(rows):
            row = rows.get(delivery_id)
            if row is None:
                skipped.append({"id": delivery_id, "reason": "not_found"})
                continue
            if row.status != DEAD:
                skipped.append({"id": delivery_id, "reason": f"not_dead:{row.status}"})
                continue
            subscription = (
                session.get(Subscription, row.subscription_id) if row.subscription_id else None
            )
            if row.subscription_id and (subscription is None or not subscription.active):
                skipped.append({"id": delivery_id, "reason": "subscription_inactive"})
                continue
            row.status, row.attempts, row.next_attempt_at = PENDING, 0, now
            row.lease_until, row.enqueued_at = None, now
            row.replays += 1
            replayed.append(row.id)
            queued.append((row.id, row.channel, row.address))
    n.enqueue(queued)
    log.info("deliveries_replayed", count=len(replayed))
    return {"replayed": replayed, "skipped": skipped}


def summary(row: Delivery) -> str | None:
    payload = row.payload or {}
    title = payload.get("subject") or payload.get("title")
    if title:
        return title
    if row.channel == "webhook" and payload.get("body"):
        try:
            return json.loads(payload["body"]).get("type")
        except ValueError:
            return None
    return None
