"""The outbox on a real database and a real Redis: commit ⇒ published (by the process's
background publisher, so `publisher.flush()` waits for it), rollback ⇒ nothing."""

import base64
import json
import threading
import time

from sqlalchemy import select

import catalog as catalog_service
from catalog.adapters.models import OutboxMessage
from gachi_kit import outbox as kit_outbox
from gachi_kit.logging import start_correlation
from tests.support.infra import free_port


def queued(redis_client, queue="notify"):
    return [json.loads(raw) for raw in redis_client.lrange(queue, 0, -1)]


def outbox_rows(cat):
    with cat.db.reading() as session:
        return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_committed_event_is_published_to_the_consumer_queue_with_its_correlation_id(
    catalog_app, redis_client
):
    cat = catalog_app.extensions["catalog"]
    start_correlation("corr-광명-0001")
    with cat.db.transaction() as session:
        event = cat.outbox.record(session, "enterprise.registered", {"enterprise_id": "e1"})
    assert cat.outbox.publisher.flush()

    (message,) = queued(redis_client)
    assert message["headers"]["task"] == "notify.handle_event"
    assert message["headers"]["gachi_correlation_id"] == "corr-광명-0001"
    # the task's repr names the event; Celery does not walk the whole payload for it
    assert message["headers"]["argsrepr"] == f"[<enterprise.registered {event.id}>]"
    body = json.loads(base64.b64decode(message["body"]))
    envelope = body[0][0]
    assert envelope["id"] == event.id
    assert envelope["type"] == "enterprise.registered"
    assert envelope["source"] == "catalog"
    assert envelope["correlation_id"] == "corr-광명-0001"
    assert envelope["data"] == {"enterprise_id": "e1"}
    (row,) = outbox_rows(cat)
    assert row.published_at is not None and row.publish_attempts == 1


def test_rolled_back_change_leaves_no_event_and_sends_nothing(catalog_app, redis_client):
    cat = catalog_app.extensions["catalog"]
    try:
        with cat.db.transaction() as session:
            cat.outbox.record(session, "enterprise.registered", {"enterprise_id": "e1"})
            raise RuntimeError("the use case failed after recording its event")
    except RuntimeError:
        pass
    assert cat.outbox.publisher.flush()
    assert outbox_rows(cat) == []
    assert queued(redis_client) == []


def test_event_committed_while_the_broker_is_down_is_published_by_the_sweep(
    catalog_app, service_config, redis_client
):
    broker_down = catalog_service.create_app(
        {**service_config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    )
    down = broker_down.extensions["catalog"]
    with down.db.transaction() as session:  # commits although publishing will fail
        down.outbox.record(session, "enterprise.registered", {"enterprise_id": "e2"})
    assert down.outbox.publisher.flush()
    (row,) = outbox_rows(down)
    assert row.published_at is None and row.publish_attempts == 1
    assert queued(redis_client) == []

    healthy = catalog_app.extensions["catalog"]
    assert healthy.outbox.publish() == 1  # the periodic sweep
    assert healthy.outbox.publish() == 0  # and only once
    (message,) = queued(redis_client)
    assert message["headers"]["task"] == "notify.handle_event"
    assert outbox_rows(healthy)[0].published_at is not None


def test_events_nobody_consumes_are_marked_published_without_a_message(catalog_app, redis_client):
    cat = catalog_app.extensions["catalog"]
    with cat.db.transaction() as session:
        cat.outbox.record(session, "product.created", {"product_id": "p1"})
    assert cat.outbox.publisher.flush()
    assert queued(redis_client) == []
    assert outbox_rows(cat)[0].published_at is not None


def test_a_full_publish_queue_leaves_events_to_the_sweep(catalog_app, redis_client, monkeypatch):
    cat = catalog_app.extensions["catalog"]
    monkeypatch.setattr(kit_outbox, "PUBLISH_QUEUE_SIZE", 1)
    publisher = kit_outbox.Publisher(lambda ids: time.sleep(0.5) or True)  # a slow broker
    assert publisher.submit(["a"])  # taken by the thread
    time.sleep(0.1)
    assert publisher.submit(["b"])  # waits in the queue of one
    assert not publisher.submit(["c"])  # full: left to the sweep, the caller never waits
    assert publisher.flush()

    monkeypatch.setattr(cat.outbox, "publisher", publisher)
    with cat.db.transaction() as session:
        cat.outbox.record(session, "enterprise.registered", {"enterprise_id": "e3"})
    assert publisher.flush()  # the fake publisher sent nothing: the row waits
    assert outbox_rows(cat)[0].published_at is None
    assert cat.outbox.publish() == 1  # the sweep
    assert len(queued(redis_client)) == 1


def test_commits_queued_behind_a_send_are_sent_together_one_message_per_commit(
    catalog_app, redis_client, monkeypatch
):
    cat = catalog_app.extensions["catalog"]
    broker_slow, calls = threading.Event(), []

    def publish(ids):
        calls.append(list(ids))
        if len(calls) == 1:
            broker_slow.wait(5)  # the first send is slow; two commits queue up behind it
        return cat.outbox._publish_batch(ids)

    monkeypatch.setattr(cat.outbox, "publisher", kit_outbox.Publisher(publish))
    recorded = []
    for n in range(3):
        start_correlation(f"corr-광명-{n}")
        with cat.db.transaction() as session:
            event = cat.outbox.record(session, "enterprise.registered", {"enterprise_id": n})
            recorded.append(event.id)
        time.sleep(0.1)  # the publisher has taken the first commit before the next
    broker_slow.set()
    assert cat.outbox.publisher.flush()

    assert calls == [recorded[:1], recorded[1:]]  # one read, send and stamp for the two
    messages = queued(redis_client)
    assert sorted(m["headers"]["gachi_correlation_id"] for m in messages) == [
        "corr-광명-0",
        "corr-광명-1",
        "corr-광명-2",
    ]
    rows = outbox_rows(cat)
    assert [(r.published_at is not None, r.publish_attempts) for r in rows] == [(True, 1)] * 3
