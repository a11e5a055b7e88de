"""The events one producer committed together arrive in one message (`notify.handle_events`):
on their first hand-over they take one transaction; otherwise, or when one of them fails,
each is consumed on its own, and a poison event holds back none of the others."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from notify.adapters.models import Delivery, InboundEvent, SupplierOrderCopy
from notify.services.events import handle_event, handle_events
from tests.support.notify_consumer import stored, write_transactions
from tests.support.notify_events import (
    ENTERPRISE_A,
    ENTERPRISE_B,
    enterprise_registered,
    envelope,
    supplier_order_created,
    supplier_order_event,
)
from tests.support.queued import task_and_args


def handle_all(app, raws, first_delivery):
    with app.app_context():
        return handle_events(app.extensions["notify"], raws, first_delivery)


def queued_deliveries(redis_client) -> dict[str, list[tuple[str, list[str]]]]:
    """The tasks waiting on notify's e-mail and text queues (the real Redis): the task and
    the delivery ids it sends."""
    queued = {}
    for queue in ("notify.email", "notify.text"):
        queued[queue] = []
        for raw in redis_client.lrange(queue, 0, -1):
            task, (ids,) = task_and_args(raw)
            queued[queue].append((task, sorted(ids)))
    return queued


def pending_deliveries(app, raws) -> list[tuple[str, str]]:
    """(id, channel) of the events' deliveries still to send, by channel (the inbox's are
    written already sent)."""
    with app.extensions["notify"].db.reading() as session:
        return session.execute(
            select(Delivery.id, Delivery.channel)
            .where(
                Delivery.event_id.in_([raw["id"] for raw in raws]),
                Delivery.status == "pending",
            )
            .order_by(Delivery.channel, Delivery.id)
        ).all()


@pytest.fixture
def subscribed(napp):
    """Two enterprises with e-mail and SMS subscriptions, as catalog's registration gives."""
    for enterprise in (ENTERPRISE_A, ENTERPRISE_B):
        with napp.app_context():
            registered = enterprise_registered(enterprise, email=f"{enterprise[-4:]}@example.kr")
            handle_event(napp.extensions["notify"], registered)
    return napp


def test_events_of_one_message_take_one_transaction_on_their_first_hand_over(
    subscribed, redis_client
):
    raws = [supplier_order_created(ENTERPRISE_A), supplier_order_created(ENTERPRISE_B)]
    begun = write_transactions(subscribed)
    assert handle_all(subscribed, raws, first_delivery=True) == ["done", "done"]
    assert len(begun) == 1
    for raw in raws:
        row, items = stored(subscribed, raw)
        assert row == ("done", 1, False)
        assert [title.startswith("[새 주문] 두부과자 200g") for title in items] == [True]
    # every delivery of both events, enqueued after that commit
    pending = pending_deliveries(subscribed, raws)
    assert [channel for _, channel in pending] == ["email", "email", "sms", "sms"]
    # one task per provider, sending both enterprises' e-mails (texts)
    assert queued_deliveries(redis_client) == {
        queue: [("notify.send_deliveries", sorted(i for i, c in pending if c == channel))]
        for queue, channel in (("notify.email", "email"), ("notify.text", "sms"))
    }


def test_an_event_of_the_message_seen_before_sends_the_rest_on_their_own(subscribed):
    seen, new = supplier_order_created(ENTERPRISE_A), supplier_order_created(ENTERPRISE_B)
    assert handle_all(subscribed, [seen], first_delivery=True) == ["done"]
    begun = write_transactions(subscribed)
    # a resend of the first event travels with a new one: the first stays one effect
    assert handle_all(subscribed, [seen, new], first_delivery=True) == ["duplicate", "done"]
    assert len(begun) == 4  # the batch rolled back; then each event's own path
    row, items = stored(subscribed, seen)
    assert (row, len(items)) == (("done", 1, False), 1)
    assert stored(subscribed, new)[0] == ("done", 1, False)


def test_a_poison_event_is_counted_alone_and_the_others_take_effect(make_app, redis_client):
    app = make_app(MAX_EVENT_ATTEMPTS="2")
    good, poison, later = (supplier_order_created(ENTERPRISE_A) for _ in range(3))
    del poison["data"]["lines"]  # a producer bug: the handler fails on it every time
    raws = [good, poison, later]
    with pytest.raises(Exception, match="lines"):
        handle_all(app, raws, first_delivery=True)
    assert stored(app, good)[0] == ("done", 1, False)
    assert stored(app, later)[0] == ("done", 1, False)
    assert stored(app, poison) == (("processing", 1, True), [])
    assert len(stored(app, later)[1]) == 1
    # Celery retries the whole message: the others are duplicates, the poison is counted
    with pytest.raises(Exception, match="lines"):
        handle_all(app, raws, first_delivery=False)
    assert handle_all(app, raws, first_delivery=False) == ["duplicate", "dead", "duplicate"]
    assert stored(app, poison)[0] == ("dead", 3, True)
    assert [len(stored(app, raw)[1]) for raw in (good, later)] == [1, 1]
    with app.extensions["notify"].db.reading() as session:  # kept for an operator's replay
        assert session.get(InboundEvent, poison["id"]).envelope["id"] == poison["id"]


def test_a_batch_reads_its_supplier_orders_once_and_writes_each_table_once(subscribed):
    """The events of a batch share one transaction: one query finds every supplier order
    they are about, a recipient's subscriptions are read once, and their inbox items,
    deliveries and action links are written with one statement per table, however many
    events there are."""
    created_a, created_b = (
        supplier_order_created(ENTERPRISE_A),
        supplier_order_created(ENTERPRISE_B),
    )
    another_a = supplier_order_created(ENTERPRISE_A)
    raws = [created_a, created_b, supplier_order_event("accepted", created_a), another_a]
    statements: list[str] = []
    event.listen(
        subscribed.extensions["notify"].db.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(" ".join(statement.split())),
    )
    assert handle_all(subscribed, raws, first_delivery=True) == ["done"] * 4

    def count(prefix: str) -> int:
        return sum(1 for s in statements if s.startswith(prefix))

    assert count("SELECT supplier_order_copy.") == 1
    # enterprise A's, B's, then the buyer's institution and department: A's read once
    assert count("SELECT subscription.") == 3
    assert count("INSERT INTO supplier_order_copy ") == 1
    assert count("INSERT INTO inbound_event ") == 1
    assert count("INSERT INTO inbox_item ") == 1
    assert count("INSERT INTO action_link ") == 1
    # deliveries: the inbox's (written sent) and the pending e-mails and texts, two shapes
    assert count("INSERT INTO delivery ") == 2
    assert [len(stored(subscribed, raw)[1]) for raw in raws] == [1, 1, 1, 1]
    with subscribed.extensions["notify"].db.reading() as session:
        copy = session.get(SupplierOrderCopy, created_a["data"]["supplier_order_id"])
        assert (copy.status, copy.acknowledged) == ("accepted", True)
        assert copy.data["lines"][0]["name"] == "두부과자 200g"


def test_a_malformed_event_in_a_batch_holds_back_none_of_the_others(subscribed):
    """Whatever an event carries, reading the batch's supplier orders does not fail on it:
    the malformed event fails alone, in its own transaction, and the others take effect."""
    good, later = supplier_order_created(ENTERPRISE_A), supplier_order_created(ENTERPRISE_B)
    broken = envelope(
        "order.placed", {"order_id": "01JORDER00000000000000000X", "supplier_orders": 5}
    )
    odd = envelope("supplier_order.created", {"supplier_order_id": ["not", "an", "id"]})
    with pytest.raises(TypeError):
        handle_all(subscribed, [good, broken, odd, later], first_delivery=True)
    assert stored(subscribed, good)[0] == ("done", 1, False)
    assert stored(subscribed, later)[0] == ("done", 1, False)
    assert stored(subscribed, broken)[0] == ("processing", 1, True)
    assert stored(subscribed, odd)[0] == ("processing", 1, True)
    assert [len(stored(subscribed, raw)[1]) for raw in (good, later)] == [1, 1]


def test_an_enterprise_registered_in_the_batch_is_reached_by_a_later_event_of_it(napp):
    """A batch may hold an enterprise's registration (from catalog) and its first supplier
    order (from orders): the order reaches the subscriptions the registration made, and a
    contact changed earlier in the batch is the one used."""
    new = "01JENTERPRISENEWINBATCH001"
    registered = enterprise_registered(new, email="first@example.kr")
    first = supplier_order_created(new)
    changed = envelope("enterprise.updated", {"enterprise_id": new, "email": "moved@example.kr"})
    second = supplier_order_created(new)
    raws = [registered, first, changed, second]
    assert handle_all(napp, raws, first_delivery=True) == ["done"] * 4
    with napp.extensions["notify"].db.reading() as session:
        sent_to = dict(
            session.execute(
                select(Delivery.event_id, Delivery.address).where(Delivery.channel == "email")
            ).all()
        )
    assert sent_to == {first["id"]: "first@example.kr", second["id"]: "moved@example.kr"}
