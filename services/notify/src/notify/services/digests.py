"""Digest subscriptions: messages held per hour or day (KST), then sent as one e-mail."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from gachi_kit.dates import KST
from gachi_kit.events import new_id, utcnow
from gachi_kit.logging import get_logger
from notify.adapters.models import Delivery, DigestEntry, Subscription
from notify.adapters.templates import render_message
from notify.domain.delivery import PENDING
from notify.domain.recipients import Recipient
from notify.wiring import Queued

log = get_logger(__name__)
DIGEST_EVENT = "notify.digest"


def period_of(moment: datetime, digest: str) -> str:
    local = moment.astimezone(KST)
    return local.strftime("%Y-%m-%d") if digest == "daily" else local.strftime("%Y-%m-%dT%H")


def send_due(n, *, limit: int = 2000) -> int:
    """Turn every closed period's entries into one e-mail delivery per subscription."""

    now = utcnow()
    created: list[Queued] = []
    with n.db.transaction() as session:
        entries = session.scalars(
            select(DigestEntry)
            .where(DigestEntry.delivery_id.is_(None))
            .order_by(DigestEntry.id)
            .limit(limit)
        ).all()
        groups: dict[tuple[str, str], list[DigestEntry]] = defaultdict(list)
        for entry in entries:
            groups[(entry.subscription_id, entry.period)].append(entry)
        for (subscription_id, period), items in groups.items():
            subscription = session.get(Subscription, subscription_id)
            if subscription is None or not subscription.active or not subscription.digest:
                for entry in items:
                    entry.delivery_id = "-"  # nobody to send it to any more
                continue
            if period >= period_of(now, subscription.digest):
                continue  # the period is still open
            recipient = Recipient(
                subscription.recipient_type, subscription.recipient_id, "digest", None
            )
            event_id = new_id()
            key = f"digest:{subscription.id}:{period}"
            if session.scalar(select(Delivery.id).where(Delivery.dedupe_key == key)):
                for entry in items:
                    entry.delivery_id = "-"
                continue
            rendered = render_message(
                "email",
                "digest",
                {
                    "period": period,
                    "digest": subscription.digest,
                    "entries": [{"title": e.title, "body": e.body} for e in items],
                },
            )
            delivery = Delivery(
                id=new_id(),
                dedupe_key=key,
                event_id=event_id,
                event_type=DIGEST_EVENT,
                recipient_type=recipient.recipient_type,
                recipient_id=recipient.recipient_id,
                subscription_id=subscription.id,
                channel=subscription.channel,
                address=subscription.address,
                template=rendered.ref,
                payload={"subject": rendered.title, "text": rendered.body, "html": rendered.html},
                status=PENDING,
                attempts=0,
                max_attempts=n.settings.delivery_max_attempts,
                next_attempt_at=now,
                enqueued_at=now,
            )
            session.add(delivery)
            for entry in items:
                entry.delivery_id = delivery.id
            created.append((delivery.id, delivery.channel, delivery.address))
    if created:
        n.enqueue(created)
        log.info("digests_sent", count=len(created))
    return len(created)
