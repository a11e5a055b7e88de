"""Celery entry points: thin, they call use cases and pass only plain data."""

from __future__ import annotations

from collections import Counter

from celery import Celery
from celery.utils.time import get_exponential_backoff_interval

from gachi_kit.celery import EVENT_TASK_OPTIONS, first_delivery
from gachi_kit.logging import get_logger
from notify import queues
from notify.batching import MessageBatches, PrefetchForBatches
from notify.services import deliveries, digests, events, reminders
from notify.wiring import notify

log = get_logger(__name__)


def register(celery: Celery) -> None:
    celery.steps["worker"].add(PrefetchForBatches)

    class EventBatches(MessageBatches, celery.Task):
        """Batched, inside the Flask app context like every task of the app."""

    @celery.task(name="notify.handle_event", base=EventBatches)
    def handle_event(requests: list) -> list[str]:
        """Every producer's lone event lands here (`batching.py`: the messages waiting are
        taken together); effects happen once per event id."""
        return _handle_batch(requests, lambda envelope: [envelope])

    @celery.task(name="notify.handle_events", base=EventBatches)
    def handle_events(requests: list) -> list[str]:
        """The events a producer committed together (an order and its supplier orders), one
        message each, taken together with the other messages waiting."""
        return _handle_batch(requests, lambda envelopes: envelopes)

    @celery.task(name="notify.retry_events", bind=True, **EVENT_TASK_OPTIONS)
    def retry_events(task, envelopes: list[dict]) -> list[str]:
        """The events of a message that failed in a batch, each message on its own, with
        Celery's backoff (a batch cannot wait for one of its messages)."""
        return events.handle_events(notify(), envelopes, first_delivery(task.request))

    def _handle_batch(requests: list, envelopes_of) -> list[str]:
        """Handle the batch; the ids of the messages the broker should hand over again.
        A message whose arguments are not a task's is dropped (it never will be); if the
        batch fails as a whole, every message is sent again with a backoff, so a failure
        that repeats never spins the worker."""
        batch = []
        for request in requests:
            try:
                batch.append((request, list(envelopes_of(*request.args))))
            except TypeError:
                log.error("event_message_malformed", task_id=request.id)
        messages = [(raws, first_delivery(request)) for request, raws in batch]
        try:
            results, _ = events.handle_messages(notify(), messages)
        except Exception as exc:
            log.error("event_batch_failed", messages=len(messages), error=repr(exc)[:500])
            results = [[None] * len(raws) for raws, _ in messages]
        log.info(
            "event_batch",
            messages=len(messages),
            results=dict(Counter(r or "failed" for outcome in results for r in outcome)),
        )
        put_back = []
        for (request, raws), outcome in zip(batch, results, strict=True):
            failed = [raw for raw, result in zip(raws, outcome, strict=True) if result is None]
            if failed and not _retry_later(retry_events, request, failed):
                put_back.append(request.id)
        return put_back

    @celery.task(name="notify.send_delivery")
    def send_delivery(delivery_id: str) -> str:
        """One attempt at one delivery. No Celery retry: the next attempt is scheduled in
        the database and the sweep enqueues it when it is due."""
        return deliveries.send_delivery(notify(), delivery_id)

    @celery.task(name="notify.send_deliveries")
    def send_deliveries(delivery_ids: list[str]) -> list[str]:
        """One attempt at each of several deliveries to one destination
        (`queues.tasks_for`): claimed and settled together, sent one after another."""
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


def _retry_later(retry_events, request, failed: list[dict]) -> bool:
    """Send the failed events once more as `notify.retry_events`, after the backoff Celery
    would have waited on this message's retry; False if the broker refused it."""
    retries = (request.request_dict or {}).get("retries") or 0
    if retries >= EVENT_TASK_OPTIONS["max_retries"]:
        log.error("event_retries_exhausted", events=[raw.get("id") for raw in failed])
        return True
    countdown = get_exponential_backoff_interval(
        factor=EVENT_TASK_OPTIONS["retry_backoff"],
        retries=retries,
        maximum=EVENT_TASK_OPTIONS["retry_backoff_max"],
        full_jitter=EVENT_TASK_OPTIONS["retry_jitter"],
    )
    try:
        retry_events.apply_async(
            (failed,), countdown=countdown, retries=retries + 1, queue=queues.EVENTS
        )
    except Exception as exc:
        log.warning("event_retry_not_sent", error=repr(exc)[:200])
        return False
    return True
