"""What a use case needs from the running app, in one object."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from flask import current_app

from gachi_kit.db import Database
from gachi_kit.logging import get_logger
from notify.adapters.links import LinkSigner
from notify.adapters.orders_client import OrdersClient
from notify.adapters.webhooks import WebhookSender
from notify.config import SERVICE, Settings

log = get_logger(__name__)


@dataclass(frozen=True)
class Channels:
    email: Any  # SMTPSender | FileMailer: send(EmailMessage) -> Outcome
    sms: Any  # FileProvider | NHNCloudProvider: send(TextMessage) -> Outcome
    alimtalk: Any
    webhook: WebhookSender


@dataclass(frozen=True)
class Notify:
    settings: Settings
    db: Database
    celery: Celery | None = None
    channels: Channels | None = None
    orders: OrdersClient | None = None
    links: LinkSigner | None = None

    def enqueue(self, delivery_ids: Iterable[str]) -> int:
        """Send `notify.send_delivery` for each id, after the rows committed. A broker
        outage is only logged: the sweep finds the rows and enqueues them later."""
        sent = 0
        if self.celery is None:
            return 0
        for delivery_id in delivery_ids:
            try:
                self.celery.send_task(
                    "notify.send_delivery",
                    args=[delivery_id],
                    queue=SERVICE,
                    retry=True,
                    retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                )
            except Exception as exc:
                log.warning("delivery_enqueue_failed", delivery_id=delivery_id, error=str(exc))
                break
            sent += 1
        return sent


def notify() -> Notify:
    return current_app.extensions["notify"]
