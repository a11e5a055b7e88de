"""What a use case needs from the running app, in one object."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from flask import current_app

from gachi_kit.celery import pipelined
from gachi_kit.db import Database
from gachi_kit.logging import get_logger
from notify import queues
from notify.adapters.bulkhead import Bulkhead
from notify.adapters.links import LinkSigner
from notify.adapters.orders_client import OrdersClient
from notify.adapters.webhooks import WebhookSender
from notify.config import Settings

log = get_logger(__name__)
Queued = tuple[str, str, str]  # (delivery id, channel, address): what `Notify.enqueue` sends


@dataclass(frozen=True)
class Channels:
    email: Any  # SMTPSender | FileMailer: send(Message) -> Outcome, connected()
    sms: Any  # FileProvider | NHNCloudProvider: send(TextMessage) -> Outcome
    alimtalk: Any
    webhook: WebhookSender
    bulkhead: Bulkhead  # sends in flight per destination, shared by the worker's threads


@dataclass(frozen=True)
class Notify:
    settings: Settings
    db: Database
    celery: Celery | None = None
    channels: Channels | None = None
    orders: OrdersClient | None = None
    links: LinkSigner | None = None

    def enqueue(self, deliveries: Iterable[Queued]) -> int:
        """Queue the deliveries (id, channel, address), after their rows committed, on
        their channel's queue (`queues.py`), all in one round trip
        (`gachi_kit.celery.pipelined`): `notify.send_deliveries` for up to
        `queues.PER_TASK` of one destination (the SMTP server, a text provider, one
        webhook receiver: one slow receiver holds up no one else's), `notify.send_delivery`
        for one alone. Returns how many were queued. A broker outage is only logged: the
        sweep finds the rows later."""
        if self.celery is None:
            return 0
        batch = list(deliveries)
        try:
            with pipelined(self.celery) as producer:
                for queue, ids in queues.tasks_for(batch):
                    task, args = (
                        ("notify.send_delivery", ids)
                        if len(ids) == 1
                        else ("notify.send_deliveries", [ids])
                    )
                    self.celery.send_task(
                        task,
                        args=args,
                        queue=queue,
                        producer=producer,
                        retry=True,
                        retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                    )
        except Exception as exc:
            log.warning(
                "delivery_enqueue_failed", deliveries=[d[0] for d in batch][:20], error=str(exc)
            )
            return 0
        return len(batch)

    def replay_event(self, envelope: dict) -> None:
        """Queue `notify.handle_event` once for an event an operator replays. A broker
        that refuses raises: the operator sees the 503 and can try again."""
        if self.celery is not None:
            self.celery.send_task("notify.handle_event", args=[envelope], queue=queues.EVENTS)


def notify() -> Notify:
    return current_app.extensions["notify"]
