"""Celery set-up shared by the services: JSON only, late acks, one message at a time.

Each service has its own Celery app and queue named after the service. Tasks run inside
the Flask app context and under the correlation id of the message that started them.
"""

from __future__ import annotations

from celery import Celery, Task, signals
from flask import Flask

from gachi_kit.logging import current_correlation_id, start_correlation
from gachi_kit.metrics import init_task_metrics
from gachi_kit.timeouts import REDIS_CLIENT

# Longer than any task or retry countdown we schedule, so Redis does not redeliver a task
# that is still running (tasks that wait longer are scheduled from the database instead).
VISIBILITY_TIMEOUT = 3600


def transport_options(broker_url: str) -> dict:
    """Redis (the default) or RabbitMQ (`amqp://`, CELERY_BROKER_URL): the outbox marks a
    row published once the send returns, so on RabbitMQ a send waits for the broker's
    publisher confirm; Redis has the message once its LPUSH answers."""
    if broker_url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return {"confirm_publish": True}
    return {"visibility_timeout": VISIBILITY_TIMEOUT, **REDIS_CLIENT}


# Every `<service>.handle_event` task: transient failures retry with backoff and jitter; the
# attempt cap that survives worker crashes is kept in the consumer's own table (consumer.py).
EVENT_TASK_OPTIONS = {
    "autoretry_for": (Exception,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


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
