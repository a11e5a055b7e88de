"""Beat task body: remind an enterprise of a supplier order it has not acknowledged within
half its acceptance deadline, once, on its most direct channel (and in its inbox).

The reminder is scheduled from the database (`supplier_order_copy.remind_at`), not as a
long Celery countdown; an acknowledgement event cancels it. The reminder's deliveries use
the supplier order's id as their event id, so a scan that runs twice reminds once.
"""

from __future__ import annotations

from sqlalchemy import select

from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger
from notify.adapters.models import SupplierOrderCopy
from notify.domain.catalogue import REMINDER
from notify.services.dispatch import fan_out
from notify.wiring import Notify, Queued

log = get_logger(__name__)


def scan(n: Notify, *, limit: int = 200) -> int:
    now = utcnow()
    to_send: list[Queued] = []
    reminded = 0
    with n.db.transaction() as session:
        query = (
            select(SupplierOrderCopy)
            .where(
                SupplierOrderCopy.reminder_status == "scheduled",
                SupplierOrderCopy.remind_at <= now,
            )
            .order_by(SupplierOrderCopy.remind_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        for copy in session.scalars(query):
            if copy.acknowledged or not copy.data:
                copy.reminder_status = "cancelled"
                continue
            copy.reminder_status = "sent"
            data = dict(copy.data)
            data["status"] = copy.status
            to_send += fan_out(
                n,
                session,
                event_id=copy.supplier_order_id,
                event_type=REMINDER,
                occurred_at=now.isoformat(),
                data=data,
                known={"data": copy.data},
                most_direct_only=True,
            )
            reminded += 1
    if to_send:
        n.enqueue(to_send)
    if reminded:
        log.info("reminders_sent", count=reminded)
    return reminded
