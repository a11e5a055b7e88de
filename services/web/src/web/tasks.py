"""Celery entry points: thin, they call use cases and pass only ids and plain data."""

from __future__ import annotations

from celery import Celery

from gachi_kit import receipts
from web.wiring import web


def register(celery: Celery) -> None:
    @celery.task(name="web.relay_outbox")
    def relay_outbox() -> int:
        """Periodic sweep: publish outbox rows the after-commit relay missed, then send again
        what a consumer says it never received (gachi_kit.receipts)."""
        return receipts.sweep(web().outbox)
