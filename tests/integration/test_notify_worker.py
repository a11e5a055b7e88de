"""notify's real Celery worker process consuming events from the real Redis."""

import pytest
import redis
from sqlalchemy import select

from gachi_kit.events import Envelope
from notify.adapters.models import InboundEvent, InboxItem
from tests.support.infra import Processes, celery_worker_argv, service_env, wait_for

ENTERPRISE = "01JENTERPRISEAAAAAAAAAAAAA"


@pytest.fixture(scope="module")
def notify_worker(service_config, redis_url, tmp_path_factory):
    redis.Redis.from_url(redis_url).flushdb()  # no events left over from other tests
    processes = Processes(
        tmp_path_factory.mktemp("worker"), service_env(service_config, MAX_EVENT_ATTEMPTS="2")
    )
    processes.start("notify-worker", celery_worker_argv("notify"))
    processes.wait_log("notify-worker", "ready.")
    yield processes
    processes.stop_all()


def created_event(**data_overrides):
    data = {
        "supplier_order_id": "01JSUPPLIERORDER0000000001",
        "order_id": "01JORDER000000000000000001",
        "enterprise_id": ENTERPRISE,
        "enterprise_name": "완주 김치 마을기업",
        "institution_id": "INST-WANJU",
        "department": "복지과",
        "needed_by": "2026-12-05",
        "delivery_address": "전북특별자치도 완주군 봉동읍",
        "supply_amount": 195000,
        "vat_amount": 0,
        "total_amount": 195000,
        "lines": [
            {
                "line_no": 1,
                "product_id": "p",
                "sku": "K10",
                "name": "포기김치 10kg",
                "unit": "박스",
                "quantity": 3,
                "unit_price": 65000,
                "tax_type": "exempt",
                "supply_amount": 195000,
            }
        ],
    } | data_overrides
    return Envelope(
        type="supplier_order.created", source="orders", data=data, correlation_id="corr-wanju-1"
    ).to_dict()


def rows(app, model):
    with app.extensions["notify"].db.reading() as session:
        return session.scalars(select(model)).all()


def test_event_delivered_twice_by_the_broker_makes_one_inbox_item(notify_app, notify_worker):
    celery = notify_app.extensions["celery"]
    raw = created_event()
    for _ in range(2):
        celery.send_task("notify.handle_event", args=[raw], queue="notify")

    wait_for(lambda: rows(notify_app, InboxItem), what="the inbox item", timeout=60)
    wait_for(
        lambda: "duplicate" in notify_worker.log("notify-worker"),
        what="the second delivery to be seen as a duplicate",
        timeout=60,
    )
    (item,) = rows(notify_app, InboxItem)
    assert item.recipient_id == ENTERPRISE
    assert item.title.startswith("[새 주문] 포기김치 10kg")
    (inbound,) = rows(notify_app, InboundEvent)
    assert (inbound.status, inbound.attempts) == ("done", 1)
    # the correlation id travelled from the envelope's message headers into the worker's logs
    assert '"correlation_id": "corr-wanju-1"' in notify_worker.log("notify-worker")


def test_poison_event_is_retried_then_parked_as_dead_without_effect(notify_app, notify_worker):
    raw = created_event(lines=[{"name": "필드가 빠진 품목"}])  # the template cannot render it
    notify_app.extensions["celery"].send_task("notify.handle_event", args=[raw], queue="notify")

    def parked():
        found = rows(notify_app, InboundEvent)
        return found and found[0].status == "dead"

    wait_for(parked, what="the event to be parked as dead", timeout=90)
    (inbound,) = rows(notify_app, InboundEvent)
    assert inbound.attempts == 3  # two real attempts, then the cap refused a third
    assert "UndefinedError" in inbound.last_error
    assert rows(notify_app, InboxItem) == []


def test_one_message_of_several_events_takes_effect_past_a_poison_one(notify_app, notify_worker):
    good = created_event()
    poison = created_event(
        supplier_order_id="01JSUPPLIERORDER0000000002", lines=[{"name": "필드가 빠진 품목"}]
    )
    # as the outbox relay sends what one commit recorded
    notify_app.extensions["celery"].send_task(
        "notify.handle_events", args=[[good, poison]], queue="notify"
    )

    def parked():
        found = {row.id: row.status for row in rows(notify_app, InboundEvent)}
        return found.get(poison["id"]) == "dead"

    wait_for(parked, what="the poison event to be parked as dead", timeout=90)
    found = {row.id: (row.status, row.attempts) for row in rows(notify_app, InboundEvent)}
    # the good event took effect on the first hand-over; the retries found it done
    assert found == {good["id"]: ("done", 1), poison["id"]: ("dead", 3)}
    (item,) = rows(notify_app, InboxItem)
    assert (item.event_id, item.title.startswith("[새 주문] 포기김치 10kg")) == (good["id"], True)
