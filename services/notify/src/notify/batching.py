"""The events worker takes the messages waiting on its queue several at a time.

A burst (a busy hour of orders, a relay catching up) leaves many `notify.handle_event(s)`
messages on the queue. Handling each in its own task and transaction cost about as much in
Celery and in the commit as in the work; taking them together (celery-batches) puts them
in one task and their first hand-overs in one transaction (`events.handle_messages`).

A message goes out at once while a worker process is free, so a lone event waits for
nothing; while every process is busy, the messages that arrive wait for the next free one
and go together (up to the prefetch), or as soon as `BATCH_MESSAGES` are waiting. The
timer of celery-batches (`BATCH_WAIT_S`) is only the backstop.

celery-batches acknowledges a batch's messages when its task returns. Here a batch task
returns the ids of the messages to put back on the queue instead; if the task raised, or
its process died, all of them go back. A message put back comes again marked redelivered,
so its events take the counted path, whose attempt cap parks a poison event as dead.
"""

from __future__ import annotations

from collections.abc import Collection

from celery import bootsteps, signals, states
from celery._state import _task_stack
from celery.app.task import Context
from celery_batches import Batches, SimpleRequest
from kombu.utils.uuid import uuid

from gachi_kit.logging import get_logger
from notify import queues

log = get_logger(__name__)

BATCH_MESSAGES = 32
BATCH_WAIT_S = 0.1
# The broker hands a worker this many unacknowledged messages per process: a batch being
# handled and the next one filling (celery-batches needs more than `flush_every`).
PREFETCH_MULTIPLIER = 2 * BATCH_MESSAGES


class MessageBatches(Batches):
    """A task that receives the list of waiting requests (`SimpleRequest`s)."""

    flush_every = BATCH_MESSAGES
    flush_interval = BATCH_WAIT_S

    def __init__(self) -> None:
        super().__init__()
        self._running = 0  # batches handed to the pool and not yet returned

    def Strategy(self, task, app, consumer):
        """celery-batches' message handler, then a flush if a process is free. (In the
        worker's event loop, like the pool's callbacks: prefork.)"""
        buffer_message = super().Strategy(task, app, consumer)
        processes = max(1, consumer.pool.num_processes or 1)

        def on_message(*args, **kwargs) -> None:
            buffer_message(*args, **kwargs)
            if self._running < processes and not self._buffer.empty():
                self._do_flush()

        return on_message

    def flush(self, requests: Collection):
        """celery-batches' flush, for late acknowledgement only, with messages put back
        as the task's result says (every one if it raised or its process was lost); the
        messages that waited meanwhile go next."""
        by_id = {request.id: request for request in requests}
        self._running += 1

        def settle(result) -> None:
            self._running -= 1
            requeue = set(result) if isinstance(result, list) else set(by_id)
            for request_id, request in by_id.items():
                if request_id in requeue:
                    request.reject(requeue=True)
                else:
                    request.acknowledge()
            if not self._buffer.empty():
                self._do_flush()

        batch = [SimpleRequest.from_request(request) for request in requests]
        return self._pool.apply_async(
            run_batch, (self, batch), callback=settle, error_callback=settle
        )


def run_batch(task: MessageBatches, requests: list[SimpleRequest]):
    """Run a batch in a pool process as Celery runs a task, under the first message's
    request: its trace continues from that message (OpenTelemetry's Celery instrumentation
    reads the request's headers), as does its correlation id. celery-batches' own runner
    gives the batch an empty request, which started a new trace for every batch. The
    other messages' traces end at their publish; a lone message (an idle worker) is a
    batch of one."""
    first = requests[0]
    request = Context(first.request_dict or {}, id=uuid(), delivery_info=first.delivery_info)
    _task_stack.push(task)
    task.request_stack.push(request)
    prerun = {"sender": task, "task_id": request.id, "task": task, "args": (requests,)}
    result, state = None, states.SUCCESS
    try:
        signals.task_prerun.send(**prerun, kwargs={})
        try:
            result = task(requests)
        except Exception as exc:  # settle() puts every message back
            state = states.FAILURE
            log.error("event_batch_raised", messages=len(requests), error=repr(exc)[:500])
    finally:
        try:
            signals.task_postrun.send(**prerun, kwargs={}, retval=result, state=state)
        finally:
            task.request_stack.pop()
            _task_stack.pop()
    return result


class PrefetchForBatches(bootsteps.Step):
    """A worker that consumes the events queue prefetches enough to fill its batches; the
    deliveries worker keeps the kit's one message at a time. (A step, because the worker
    reads its prefetch from the command line, which defaults to the app's setting.)"""

    def __init__(self, worker, **kwargs):
        consumed = worker.app.amqp.queues.consume_from  # None: every queue
        if consumed is None or queues.EVENTS in consumed:
            worker.prefetch_multiplier = PREFETCH_MULTIPLIER
        super().__init__(worker, **kwargs)
