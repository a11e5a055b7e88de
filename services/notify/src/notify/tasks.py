"""Celery entry points: thin, they call use cases and pass only plain data."""

from __future__ import annotations

from celery import Celery

from gachi_kit.celery import EVENT_TASK_OPTIONS, first_delivery
from notify.services import deliveries, digests, events, reminders
from notify.wiring import notify


def register(celery: Celery) -> None:
    @celery.task(name="notify.handle_event", bind=True, **EVENT_TASK_OPTIONS)
    def handle_event(task, envelope: dict) -> str:
        """Every event routed to notify lands here; effects happen once per event id."""
        return events.handle_event(notify(), envelope, first_delivery(task.request))

    @celery.task(name="notify.handle_events", bind=True, **EVENT_TASK_OPTIONS)
    def handle_events(task, envelopes: list[dict]) -> list[str]:
        """The events a producer committed together, in one message (an order and its
        supplier orders): on their first hand-over, one transaction for all of them."""
        return events.handle_events(notify(), envelopes, first_delivery(task.request))

    @celery.task(name="notify.send_delivery")
    def send_delivery(delivery_id: str) -> str:
        """One attempt at one delivery. No Celery retry: the next attempt is scheduled in
        the database and the sweep enqueues it when it is due."""
        return deliveries.send_delivery(notify(), delivery_id)

    @celery.task(name="notify.send_deliveries")
    def send_deliveries(delivery_ids: list[str]) -> list[str]:
        """One attempt at each of several e-mails or texts (`queues.tasks_for`): claimed and
        settled together, sent one after another."""
        return deliveries.send_deliveries(notify(), delivery_ids)

    @celery.task(name="notify.sweep_deliveries")
    def sweep_deliveries() -> int:
        return deliveries.sweep(notify())

    @celery.task(name="notify.scan_reminders")
    def scan_reminders() -> int:
        return reminders.scan(notify())

    @celery.task(name="notify.send_digests")
    def send_digests() -> int:
        return digests.send_due(notify())
