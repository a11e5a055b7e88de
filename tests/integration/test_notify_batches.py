"""notify's real events worker takes the messages waiting on its queue several to a task
(celery-batches, `notify/batching.py`), on the real Redis."""

import json

import redis
from sqlalchemy import select

from notify.adapters.models import InboundEvent, InboxItem
from notify.batching import PREFETCH_MULTIPLIER
from tests.integration.test_notify_worker import created_event
from tests.support.infra import Processes, celery_worker_argv, service_env, wait_for

WAITING = 40


def rows(app, model):
    with app.extensions["notify"].db.reading() as session:
        return session.scalars(select(model)).all()


def batches(log: str) -> list[dict]:
    found = []
    for line in log.splitlines():
        if '"event_batch"' in line:
            found.append(json.loads(line[line.index("{") :]))
    return found


def test_waiting_messages_are_handled_together_each_event_once(
    notify_app, service_config, redis_url, tmp_path
):
    redis.Redis.from_url(redis_url).flushdb()
    celery = notify_app.extensions["celery"]
    events = [
        created_event(supplier_order_id=f"01JSUPPLIERORDER{n:010d}", enterprise_name="두레생협")
        for n in range(WAITING)
    ]
    for event in events:  # waiting before the worker starts, as after a burst
        celery.send_task("notify.handle_event", args=[event], queue="notify")
    celery.send_task("notify.handle_event", args=[events[0]], queue="notify")  # a resend
    celery.send_task("notify.handle_events", args=[[events[1], events[2]]], queue="notify")
    # not an envelope: no retry would mend it, and it holds up no one
    celery.send_task("notify.handle_event", args=[{"type": "수상한 메시지"}], queue="notify")

    processes = Processes(tmp_path, service_env(service_config))
    try:
        processes.start("notify-worker", celery_worker_argv("notify"))
        wait_for(
            lambda: (
                sum(b["messages"] for b in batches(processes.log("notify-worker"))) == WAITING + 3
            ),
            what="every message handled",
            timeout=90,
        )
        log = processes.log("notify-worker")
    finally:
        processes.stop_all()

    handled = batches(log)
    # the worker took many messages to a task, never more than it prefetches (one process)
    assert max(b["messages"] for b in handled) > 1
    assert all(b["messages"] <= PREFETCH_MULTIPLIER for b in handled)
    assert len(handled) < WAITING
    results = {}
    for b in handled:
        for result, count in b["results"].items():
            results[result] = results.get(result, 0) + count
    # the resent ones took no effect; the one that is not an envelope was dropped
    assert results == {"done": WAITING, "duplicate": 3, "malformed": 1}
    items = rows(notify_app, InboxItem)
    assert sorted(i.event_id for i in items) == sorted(e["id"] for e in events)
    assert all(i.title.startswith("[새 주문] 포기김치 10kg") for i in items)
    inbound = rows(notify_app, InboundEvent)
    assert {(row.status, row.attempts) for row in inbound} == {("done", 1)}
    assert len(inbound) == WAITING
