"""Celery entry points: thin, they call use cases and pass only ids and plain data."""

from __future__ import annotations

from datetime import date

from celery import Celery

from gachi_kit import receipts
from gachi_kit.celery import EVENT_TASK_OPTIONS, first_delivery
from orders.services import documents, expiry, quotations, rerouting
from orders.services.group_orders import closing
from orders.services.performance import alerts, categories, exports
from orders.wiring import current_wiring


def register(celery: Celery) -> None:
    @celery.task(name="orders.relay_outbox")
    def relay_outbox() -> int:
        """Periodic sweep: publish outbox rows the after-commit relay missed, then send again
        what a consumer says it never received (gachi_kit.receipts)."""
        return receipts.sweep(current_wiring().outbox)

    @celery.task(name="orders.expire_overdue")
    def expire_overdue() -> int:
        """Periodic: supplier orders past their acceptance deadline expire (then re-route)."""
        return expiry.expire_overdue(current_wiring())

    @celery.task(name="orders.close_due_group_orders")
    def close_due_group_orders() -> int:
        """Periodic: group orders past their deadline become an order, or are cancelled."""
        return closing.close_due(current_wiring())

    @celery.task(name="orders.performance_export")
    def performance_export(job_id: str) -> str:
        """A large 우선구매 export, written to the exports folder with progress."""
        return exports.run_job(current_wiring(), job_id)

    @celery.task(name="orders.render_document")
    def render_document(supplier_order_id: str, kind: str) -> str:
        """A 거래명세서 or 검수조서 as PDF, cached per supplier-order version."""
        return documents.render_cached(current_wiring(), supplier_order_id, kind)

    @celery.task(name="orders.reclassify_category")
    def reclassify_category(code: str, since: str) -> int:
        """On an administrator's request: one category's recorded lines recomputed from a
        day on, after its list changed (categories.reclassify_category)."""
        return categories.reclassify_category(current_wiring(), code, date.fromisoformat(since))

    @celery.task(name="orders.render_quotation")
    def render_quotation(quotation_id: str) -> str:
        """A 견적서 as PDF, cached (a quotation never changes)."""
        return quotations.render_cached(current_wiring(), quotation_id)

    @celery.task(name="orders.performance_alerts")
    def performance_alerts() -> dict:
        """Daily: behind-pace alerts and statutory package reminders (events)."""
        return alerts.run_daily(current_wiring())

    @celery.task(name="orders.handle_event", bind=True, **EVENT_TASK_OPTIONS)
    def handle_event(task, envelope: dict) -> str:
        """Events orders reacts to (its own declines and expiries: the re-routing saga)."""
        return rerouting.handle_event(current_wiring(), envelope, first_delivery(task.request))

    @celery.task(name="orders.handle_events", bind=True, **EVENT_TASK_OPTIONS)
    def handle_events(task, envelopes: list[dict]) -> list[str]:
        """Several of those events committed together (the expiry job's), each on its own."""
        return rerouting.handle_events(current_wiring(), envelopes, first_delivery(task.request))


def enqueue_document(supplier_order_id: str, kind: str) -> None:
    current_wiring().outbox.celery.send_task(
        "orders.render_document", args=[supplier_order_id, kind], queue="orders"
    )


def enqueue_quotation(quotation_id: str) -> None:
    current_wiring().outbox.celery.send_task(
        "orders.render_quotation", args=[quotation_id], queue="orders"
    )


def enqueue_export(job_id: str) -> None:
    """Queue an export job on orders' queue (the task is registered in `register`)."""
    current_wiring().outbox.celery.send_task(
        "orders.performance_export", args=[job_id], queue="orders"
    )
