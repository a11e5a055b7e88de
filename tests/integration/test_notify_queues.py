"""notify's queues per kind of work, on the real Redis and with real worker processes.

Events (and the inbox items they write) go to `notify`, deliveries to one queue per
channel; the workers run as the Procfile runs them: one on `notify`, one pool of threads
on the delivery queues. A webhook receiver that does not answer holds only its own
destination's share of the deliveries worker: other enterprises' inbox items and webhooks
arrive while it hangs, and its own messages are all sent, once each, when it answers.
"""

from __future__ import annotations

import json
import threading

import pytest
import redis

from notify import queues
from notify.adapters.models import Delivery, InboxItem
from tests.support.infra import (
    NOTIFY_DELIVERY_QUEUES,
    Processes,
    celery_worker_argv,
    service_env,
    wait_for,
)
from tests.support.notify_events import ENTERPRISE_A, ENTERPRISE_B, supplier_order_created
from tests.support.notify_receivers import HTTPReceiver, Reply, rows

SLOW_EVENTS = 6  # more than the bulkhead lets through to one destination (2)


@pytest.fixture
def config(service_config):
    return {
        **service_config,
        "WEBHOOK_ALLOW_LOOPBACK": "1",
        "WEBHOOK_TIMEOUT_SECONDS": "30",  # the stuck receiver is held, not timed out
        "DELIVERY_PER_DESTINATION": "2",
        "DELIVERY_DEFER_SECONDS": "0.2",
        "DELIVERY_REQUEUE_SECONDS": "1",
    }


@pytest.fixture
def app(config, notify_app, redis_url):
    import notify

    redis.Redis.from_url(redis_url).flushdb()
    app = notify.create_app(config)
    yield app
    app.extensions["notify"].db.dispose()


def _decoded(raw_body: str) -> list:
    import base64

    args, _kwargs, _embed = json.loads(base64.b64decode(raw_body))
    return args


def subscribe(app, config, enterprise: str, url: str) -> dict:
    from gachi_kit.auth import issue_token

    jwt = issue_token(
        config["JWT_PRIVATE_KEY"], sub="t", role="enterprise", org=enterprise, audience="notify"
    )
    response = app.test_client().post(
        "/v1/subscriptions",
        json={"channel": "webhook", "address": url, "event_types": ["supplier_order.*"]},
        headers={"Authorization": f"Bearer {jwt}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_each_kind_of_work_is_sent_to_its_own_queue(app, config, redis_url):
    from notify.services.events import handle_event

    with HTTPReceiver() as receiver:
        subscribe(app, config, ENTERPRISE_A, receiver.url)
        n = app.extensions["notify"]
        n.enqueue(
            [
                ("d-mail", "email", "buyer@example.kr"),
                ("d-sms", "sms", "01012345678"),
                ("d-talk", "alimtalk", "01012345678"),
            ]
        )
        event = supplier_order_created(ENTERPRISE_A)
        with app.app_context():
            assert handle_event(n, event) == "done"  # no worker runs: the messages stay
        app.extensions["celery"].send_task("notify.handle_event", args=[event], queue="notify")

    waiting = {
        queue: [(task, _decoded(body)) for task, body in found]
        for queue, found in _raw(redis_url).items()
    }
    (webhook,) = rows(app, Delivery, channel="webhook", event_id=event["id"])
    assert waiting[queues.EMAIL] == [("notify.send_delivery", ["d-mail"])]
    # texts share their provider: several go in one task; a webhook goes alone
    assert waiting[queues.TEXT] == [("notify.send_deliveries", [["d-sms", "d-talk"]])]
    assert waiting[queues.WEBHOOK] == [("notify.send_delivery", [webhook.id])]
    assert [task for task, _ in waiting[queues.EVENTS]] == ["notify.handle_event"]
    # the inbox item needs no queue: the event's own transaction wrote it
    assert len(rows(app, InboxItem, event_id=event["id"])) == 1


def _raw(redis_url: str) -> dict[str, list[tuple[str, str]]]:
    client = redis.Redis.from_url(redis_url)
    return {
        queue: [
            (m["headers"]["task"], m["body"])
            for m in (json.loads(raw) for raw in client.lrange(queue, 0, -1))
        ]
        for queue in queues.ALL
    }


def test_a_receiver_that_hangs_delays_no_other_inbox_or_webhook(app, config, tmp_path):
    from notify.services.deliveries import sweep

    held = threading.Event()
    processes = Processes(tmp_path, service_env(config))
    n = app.extensions["notify"]
    try:
        with HTTPReceiver(Reply(200, hold=held)) as stuck, HTTPReceiver() as fine:
            subscribe(app, config, ENTERPRISE_A, f"{stuck.url}/hook")
            subscribe(app, config, ENTERPRISE_B, f"{fine.url}/hook")
            worker = celery_worker_argv("notify")  # as the Procfile: events here...
            worker[worker.index("--queues") + 1] = queues.EVENTS
            # ...deliveries in a pool of threads
            deliveries = [*celery_worker_argv("notify", name="deliveries"), "--pool", "threads"]
            deliveries[deliveries.index("--queues") + 1] = NOTIFY_DELIVERY_QUEUES
            deliveries[deliveries.index("--concurrency") + 1] = "4"
            processes.start("events", worker)
            processes.start("deliveries", deliveries)
            processes.wait_log("events", "ready.")
            processes.wait_log("deliveries", "ready.")

            celery = app.extensions["celery"]
            slow = [supplier_order_created(ENTERPRISE_A) for _ in range(SLOW_EVENTS)]
            # one at a time, so each webhook is a task of its own (a burst's would share one
            # task, which stops at its first failure: test_webhooks) and the sends compete
            # for the receiver's share of threads
            for event in slow:
                celery.send_task("notify.handle_event", args=[event], queue="notify")
                wait_for(
                    lambda event=event: rows(app, InboxItem, event_id=event["id"]),
                    timeout=60,
                    what="the slow enterprise's inbox item",
                )
            wait_for(
                lambda: len(stuck.requests) >= 2, timeout=60, what="two sends held by the receiver"
            )

            other = supplier_order_created(ENTERPRISE_B)
            celery.send_task("notify.handle_event", args=[other], queue="notify")
            wait_for(
                lambda: rows(app, InboxItem, event_id=other["id"]),
                timeout=60,
                what="the other enterprise's inbox item",
            )
            wait_for(lambda: fine.requests, timeout=60, what="the other enterprise's webhook")
            assert not held.is_set()  # all of it while the stuck receiver still hangs
            assert len(stuck.requests) == 2  # it holds its share of threads, no more
            assert json.loads(fine.requests[0].body)["event_id"] == other["id"]
            # and the stuck enterprise's own inbox items did not wait for its webhooks
            assert all(rows(app, InboxItem, event_id=e["id"]) for e in slow)

            held.set()  # the receiver answers now; deferred sends go out as the sweep finds them

            def all_sent():
                with app.app_context():
                    sweep(n)
                found = rows(app, Delivery, channel="webhook", recipient_id=ENTERPRISE_A)
                return found if all(d.status == "sent" for d in found) else None

            sent = wait_for(all_sent, timeout=90, interval=0.3, what="every held webhook sent")
    finally:
        held.set()
        processes.stop_all()

    assert len(sent) == SLOW_EVENTS
    delivered = [json.loads(r.body)["event_id"] for r in stuck.requests]
    assert sorted(delivered) == sorted(e["id"] for e in slow)  # each once, none lost
    assert {r.headers["webhook-id"] for r in stuck.requests} == {d.id for d in sent}
