"""Celery entry points: thin, they call use cases and pass only ids and plain data."""

from __future__ import annotations

from celery import Celery

from catalog.wiring import catalog


def register(celery: Celery) -> None:
    @celery.task(name="catalog.relay_outbox")
    def relay_outbox() -> int:
        """Periodic sweep: publish outbox rows the after-commit relay missed."""
        return catalog().outbox.publish()
