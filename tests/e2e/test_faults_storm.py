"""A notification storm with a poison event in it, through the real path: orders' outbox →
its publisher and sweep → Redis → the notify worker process → inbox rows.

The poison event (a producer bug notify's handler fails on every time) is retried a
bounded number of times with backoff, parked as dead, listed for operators and counted in
`gachi_events_dead_total`; meanwhile the storm flows and every other event is handled once.
`FAULT_STORM_EVENTS` sets the storm's size (the figures in docs/operations.md name theirs).
"""

from __future__ import annotations

import os
import time

import pytest
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, func, select

from tests.support import infra
from tests.support.faults import FaultPlatform, PrivateRedis, inbox_counts
from tests.support.notify_events import supplier_order_created

STORM = int(os.environ.get("FAULT_STORM_EVENTS", "600"))
# Waits sized for the default storm; a larger one (10,000) gets a tenth of a second per event.
HANDLED_SECONDS = max(240, STORM // 10)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(HANDLED_SECONDS + 60)]
MAX_EVENT_ATTEMPTS = 3
BATCH = 250  # events per producer transaction


@pytest.fixture(scope="module")
def platform(jwt_keys, tmp_path_factory):
    broker = PrivateRedis(tmp_path_factory.mktemp("storm-redis")).start()
    running = FaultPlatform(
        tmp_path_factory.mktemp("storm"),
        broker.url,
        jwt_keys,
        services=("orders", "notify"),
        tag="_storm",
        log_level="WARNING",  # a line per task would cost the worker more than the task
        extra={"OUTBOX_SWEEP_SECONDS": "2", "MAX_EVENT_ATTEMPTS": str(MAX_EVENT_ATTEMPTS)},
    )
    try:
        with running:
            yield running
    finally:
        broker.stop()


def metric(url: str, name: str, **labels) -> float:
    text = requests.get(f"{url}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def test_a_storm_with_a_poison_event_in_it(platform, token):
    import orders

    producer = orders.create_app(platform.config)  # records as orders' use cases do
    outbox = producer.extensions["orders"].outbox
    poison = supplier_order_created(supplier_order_id="01JPOISON00000000000000000")
    del poison["data"]["lines"]  # notify's handler raises on it, every time

    t0 = time.monotonic()
    with outbox.db.transaction() as session:
        bad = outbox.record(session, "supplier_order.created", poison["data"])
    subjects = []
    for start in range(0, STORM, BATCH):
        with outbox.db.transaction() as session:
            for i in range(start, min(start + BATCH, STORM)):
                event = supplier_order_created(f"01JSTORMENTERPRISE{i % 20:08d}")
                outbox.record(session, "supplier_order.created", event["data"])
                subjects.append(event["data"]["supplier_order_id"])
    recorded = time.monotonic() - t0

    notify_db = platform.config["NOTIFY_DATABASE_URL"]

    def all_handled():
        counts = inbox_counts(notify_db)
        return counts if len(counts) >= STORM else None

    counts = infra.wait_for(
        all_handled, timeout=HANDLED_SECONDS, interval=1.0, what="the storm handled"
    )
    handled = time.monotonic() - t0
    queue_left = redis.Redis.from_url(platform.redis_url).llen("notify")
    print(f"\nstorm: {STORM} events recorded in {recorded:.1f} s, all in inboxes after")
    print(f"  {handled:.1f} s ({STORM / handled:.0f} events/s end to end, one notify worker)")
    assert set(counts) == set(subjects) and set(counts.values()) == {1}  # once each

    from notify.adapters.models import InboundEvent

    engine = create_engine(notify_db)

    def parked():
        with engine.connect() as conn:
            row = conn.execute(select(InboundEvent).where(InboundEvent.id == bad.id)).one()
        return row if row.status == "dead" else None

    try:
        row = infra.wait_for(parked, timeout=90, interval=0.5, what="the poison event dead")
        with engine.connect() as conn:
            done = conn.scalar(
                select(func.count()).select_from(InboundEvent).where(InboundEvent.status == "done")
            )
    finally:
        engine.dispose()
    print(f"  poison: {row.attempts} attempts, then dead; {queue_left} messages queued then")
    assert row.attempts == MAX_EVENT_ATTEMPTS + 1  # the last one parks it without running
    assert "lines" in row.last_error
    assert done == STORM

    notify = platform.urls["notify"]
    listed = requests.get(f"{notify}/v1/ops/dead-events", headers=token("admin"), timeout=10)
    assert [e["id"] for e in listed.json()["items"]] == [bad.id]
    assert metric(notify, "gachi_events_dead_total", type="supplier_order.created") == 1
    # no hot loop: no batch was retried as a whole, and the poison event's message is the
    # only one sent again in the whole storm, once per attempt after its first (the batch
    # re-sends it alone as notify.retry_events, which retries with backoff until it parks)
    for task in ("notify.handle_event", "notify.handle_events"):
        assert metric(notify, "gachi_celery_tasks_total", task=task, state="RETRY") == 0
    resent = metric(notify, "gachi_celery_tasks_total", task="notify.retry_events")
    assert resent == MAX_EVENT_ATTEMPTS
