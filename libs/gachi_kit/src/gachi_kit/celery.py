"""Celery set-up shared by the services: JSON only, late acks, one message at a time.

Each service has its own Celery app and queue named after the service. Tasks run inside
the Flask app context and under the correlation id of the message that started them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery, Task, signals
from flask import Flask

from gachi_kit.config import Env
from gachi_kit.logging import current_correlation_id, start_correlation
from gachi_kit.metrics import init_task_metrics
from gachi_kit.timeouts import REDIS_CLIENT, REDIS_WORKER

# How long a message a worker took stays invisible before Redis gives it to another worker:
# the time a message lost by a killed worker waits (consumers are idempotent, so a second
# delivery is harmless). Longer than any task runs and than any retry countdown a worker
# holds (EVENT_TASK_OPTIONS' retry_backoff_max); longer waits are scheduled from the
# database. `BROKER_VISIBILITY_TIMEOUT` overrides it (tests of redelivery).
VISIBILITY_TIMEOUT = 300
# A worker asked to stop with a task still running after the warm shutdown (SIGTERM) gives
# up its wait at the supervisor's SIGQUIT: this long more, then the task is cancelled and
# its message requeued (Celery's soft shutdown, `gachi up`'s supervisor).
SOFT_SHUTDOWN_SECONDS = 10.0


# How long the lock a worker takes to put such messages back may outlive the worker. kombu
# keeps it 5 minutes, so a worker killed mid-sweep (SIGKILL, Redis dying with it) stopped
# every other worker's sweeps for that long. A sweep takes milliseconds, and two sweeps
# racing are safe (each message is moved back in a WATCHed transaction).
RESTORE_LOCK_SECONDS = 10


def redelivery_options() -> dict:
    """The visibility timeout (`BROKER_VISIBILITY_TIMEOUT` overrides it: tests and
    bench/redelivery.py use a short one) and how often workers look for messages past it:
    a third of it, at most every 10 s (kombu's default looks only every 10th scan, i.e.
    every 100 s, which would make a short timeout useless)."""
    seconds = Env().int("BROKER_VISIBILITY_TIMEOUT", VISIBILITY_TIMEOUT)
    return {
        "visibility_timeout": seconds,
        "unacked_restore_interval": max(1, min(10, seconds // 3)),
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": RESTORE_LOCK_SECONDS,
    }


def is_redis(broker_url: str) -> bool:
    """Redis unless the URL names RabbitMQ (`amqp://`, CELERY_BROKER_URL)."""
    return not broker_url.startswith(("amqp://", "amqps://", "pyamqp://"))


def transport_options(broker_url: str) -> dict:
    """Redis (the default) or RabbitMQ (`amqp://`, CELERY_BROKER_URL): the outbox marks a
    row published once the send returns, so on RabbitMQ a send waits for the broker's
    publisher confirm; Redis has the message once its LPUSH answers."""
    if not is_redis(broker_url):
        return {"confirm_publish": True}
    return {**redelivery_options(), **REDIS_CLIENT}


# Every `<service>.handle_event` and `.handle_events` task: transient failures retry with
# backoff and jitter; the attempt cap that survives worker crashes is kept in the
# consumer's own table (consumer.py).
EVENT_TASK_OPTIONS = {
    "autoretry_for": (Exception,),
    "retry_backoff": 2,
    "retry_backoff_max": 120,  # well under VISIBILITY_TIMEOUT
    "retry_jitter": True,
    "max_retries": 8,
}


@contextmanager
def pipelined(celery: Celery) -> Iterator:
    """A producer whose sends go out together when the block ends: one pipelined round trip
    to Redis (kombu's `Producer.batch()`; where a pipeline could be replayed, and on
    RabbitMQ, kombu sends each at once). An exception, raised inside or when the batch is
    flushed, means none of them may be counted as sent: callers leave them to their sweep,
    and a consumer dedupes one that did go out."""
    with celery.producer_or_acquire() as producer, producer.batch():
        yield producer


def first_delivery(request) -> bool:
    """Whether a task's message is on its first hand-over: not a retry, and not put back by
    the broker after a worker took it (a killed worker, the visibility timeout, a shutdown
    that returned its prefetched messages: kombu and RabbitMQ mark those `redelivered`).
    Event consumers then record and apply the event in one transaction (`consumer`).
    A celery-batches request has no `retries`: its headers (`request_dict`) hold it."""
    retries = getattr(request, "retries", None)
    if retries is None:
        retries = (getattr(request, "request_dict", None) or {}).get("retries")
    return not retries and not (request.delivery_info or {}).get("redelivered")


def make_celery(flask_app: Flask, *, queue: str, broker_url: str, beat_schedule=None) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with flask_app.app_context():
                return self.run(*args, **kwargs)

    app = Celery(queue, task_cls=FlaskTask)
    app.conf.update(
        broker_url=broker_url,
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        broker_transport_options=transport_options(broker_url),
        worker_soft_shutdown_timeout=SOFT_SHUTDOWN_SECONDS,
        task_default_queue=queue,
        task_create_missing_queues=True,
        worker_hijack_root_logger=False,
        beat_schedule=beat_schedule or {},
        timezone="Asia/Seoul",
        enable_utc=True,
    )
    flask_app.extensions["celery"] = app
    init_task_metrics(queue)
    return app


@signals.celeryd_init.connect
def _worker_waits_for_redis(conf=None, **_kwargs):
    """In a worker process (before it connects), the broker connection has no socket
    timeout: see `timeouts.REDIS_WORKER`. APIs and beat keep theirs."""
    if conf is not None and is_redis(conf.broker_url or ""):
        conf.broker_transport_options = {**conf.broker_transport_options, **REDIS_WORKER}


# Not "correlation_id": Celery already uses that message property for the task id.
CORRELATION_TASK_HEADER = "gachi_correlation_id"


@signals.before_task_publish.connect
def _propagate_correlation_id(headers=None, **_kwargs):
    if headers is not None and not headers.get(CORRELATION_TASK_HEADER):
        headers[CORRELATION_TASK_HEADER] = current_correlation_id()


@signals.task_prerun.connect
def _bind_correlation_id(task=None, **_kwargs):
    request = task.request if task is not None else None
    cid = getattr(request, CORRELATION_TASK_HEADER, None)
    if cid is None and request is not None and isinstance(request.headers, dict):
        cid = request.headers.get(CORRELATION_TASK_HEADER)
    start_correlation(cid)
