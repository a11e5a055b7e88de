"""Celery entry points: thin, they call use cases and pass only plain data."""

from __future__ import annotations

from celery import Celery

from notify.services import events
from notify.wiring import notify


def register(celery: Celery) -> None:
    @celery.task(
        name="notify.handle_event",
        autoretry_for=(Exception,),
        retry_backoff=2,
        retry_backoff_max=300,
        retry_jitter=True,
        max_retries=8,
    )
    def handle_event(envelope: dict) -> str:
        """Every event routed to notify lands here; effects happen once per event id."""
        return events.handle_event(notify(), envelope)
