"""What notify's consumer did with an event: its write transactions, its row, its inbox."""

from __future__ import annotations

from sqlalchemy import event, select

from notify.adapters.models import InboundEvent, InboxItem


def write_transactions(app) -> list[int]:
    """Every write transaction notify's database begins from now on (one entry each)."""
    begun: list[int] = []
    event.listen(app.extensions["notify"].db.sessions, "after_begin", lambda *_: begun.append(1))
    return begun


def stored(app, raw) -> tuple:
    """((status, attempts, has an error) of the event's row, its inbox items' titles)."""
    with app.extensions["notify"].db.reading() as session:
        row = session.get(InboundEvent, raw["id"])
        items = session.scalars(
            select(InboxItem.title).where(InboxItem.event_id == raw["id"])
        ).all()
        return (row.status, row.attempts, row.last_error is not None), items
