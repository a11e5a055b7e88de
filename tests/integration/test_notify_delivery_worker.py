"""Deliveries through real notify Celery workers on the real Redis: a worker SIGKILLed in
the middle of a webhook send loses nothing, and nothing is sent twice where we can know.

The receiver holds the first webhook request open, so the worker is provably mid-send when
it is killed (the whole process tree, as `kill -9` of a container would). The delivery row
was claimed before sending (`sending`, a lease); after the lease, the beat's sweep enqueues
it again, a second worker sends it with the same `webhook-id` (the receiver dedupes on it),
and the e-mail and inbox item that were not in flight exist exactly once.
"""

from __future__ import annotations

import contextlib
import signal
import threading

import psutil
import pytest
import redis
from standardwebhooks.webhooks import Webhook

from notify.adapters.models import Delivery, InboundEvent, InboxItem
from tests.support.infra import Processes, celery_worker_argv, service_env, wait_for
from tests.support.notify_events import ENTERPRISE_A, enterprise_registered, supplier_order_created
from tests.support.notify_receivers import HTTPReceiver, Reply, rows, smtp_server


@pytest.fixture
def setting(service_config, notify_app):
    """Settings shared by the test process and its workers (strings, as in an environment)."""
    with smtp_server() as smtp:
        config = {
            **service_config,
            "WEBHOOK_ALLOW_LOOPBACK": "1",
            "SMTP_HOST": smtp.host,
            "SMTP_PORT": str(smtp.port),
            "DELIVERY_LEASE_SECONDS": "3",
            "DELIVERY_SWEEP_SECONDS": "0.5",
            "DELIVERY_REQUEUE_SECONDS": "2",
            "DELIVERY_BACKOFF_BASE_SECONDS": "0.2",
            "DELIVERY_BACKOFF_MAX_SECONDS": "1",
            "REMINDER_SCAN_SECONDS": "3600",
            "DIGEST_SWEEP_SECONDS": "3600",
            "WEBHOOK_TIMEOUT_SECONDS": "30",
        }
        yield config, smtp


def kill_tree(process) -> None:
    parent = psutil.Process(process.pid)
    for proc in [*parent.children(recursive=True), parent]:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def test_worker_killed_mid_send_loses_nothing_and_resends_with_the_same_webhook_id(
    setting, redis_url, tmp_path
):
    import notify

    config, smtp = setting
    redis.Redis.from_url(redis_url).flushdb()
    app = notify.create_app(config)
    held = threading.Event()
    processes = Processes(tmp_path, service_env(config))
    try:
        with HTTPReceiver() as receiver:
            receiver.replies = [Reply(200, hold=held)]  # the first request never gets an answer
            client = app.test_client()
            subscription = client.post(
                "/v1/subscriptions",
                json={
                    "channel": "webhook",
                    "address": receiver.url,
                    "event_types": ["supplier_order.*"],
                },
                headers=_token(config, "enterprise", ENTERPRISE_A),
            ).get_json()
            from notify.services.events import handle_event

            with app.app_context():  # inbox + e-mail from the contacts (a landline: no SMS)
                handle_event(app.extensions["notify"], enterprise_registered(phone="02-123-4567"))
            smtp.messages.clear()

            processes.start("worker-a", celery_worker_argv("notify"))
            processes.wait_log("worker-a", "ready.")
            event = supplier_order_created()
            celery = app.extensions["celery"]
            for _ in range(2):  # the broker delivers the event twice
                celery.send_task("notify.handle_event", args=[event], queue="notify")

            assert receiver.arrived.wait(60), processes.log("worker-a")
            (webhook,) = rows(app, Delivery, channel="webhook", event_id=event["id"])
            assert (webhook.status, webhook.attempts) == ("sending", 1)
            kill_tree(processes.running["worker-a"])
            held.set()  # let the receiver's stuck handler thread finish

            processes.start(
                "worker-b",
                [*celery_worker_argv("notify"), "--beat", "--schedule", str(tmp_path / "beat")],
            )

            def settled():
                found = rows(app, Delivery, event_id=event["id"])
                return found if all(d.status == "sent" for d in found) and len(found) == 3 else None

            done = wait_for(settled, timeout=90, what="every delivery to be sent")
            by_channel = {d.channel: d for d in done}
            assert by_channel["webhook"].attempts == 2  # the killed attempt, then the resend
            assert by_channel["email"].attempts == 1
            assert len(receiver.requests) == 2
            assert {r.headers["webhook-id"] for r in receiver.requests} == {webhook.id}
            for request in receiver.requests:
                Webhook(subscription["secret"]).verify(request.body, request.headers)
    finally:
        processes.stop_all()

    mails = [m for m in smtp.messages if m["X-Gachi-Delivery"] == by_channel["email"].id]
    assert len(mails) == 1
    assert len(rows(app, InboxItem, event_id=event["id"])) == 1
    (inbound,) = rows(app, InboundEvent, id=event["id"])
    assert inbound.status == "done"
    app.extensions["notify"].db.dispose()


def _token(config, role, org):
    from gachi_kit.auth import issue_token

    jwt = issue_token(config["JWT_PRIVATE_KEY"], sub="t", role=role, org=org, audience="notify")
    return {"Authorization": f"Bearer {jwt}"}
