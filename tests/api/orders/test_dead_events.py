"""A decline orders' saga gave up on (its handler failed MAX attempts) is listed for an
admin and replayed once the handler is fixed: re-routed once, from orders' own outbox."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gachi_kit.events import utcnow
from orders.adapters.models import InboundEvent, OrderLine, OutboxMessage
from orders.services import rerouting

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


def queued(redis_client) -> list[dict]:
    messages = [json.loads(m) for m in redis_client.lrange("orders", 0, -1)]
    assert {m["headers"]["task"] for m in messages} <= {"orders.handle_event"}
    return [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]


def handle(app, envelope: dict) -> str:
    with app.app_context():
        return rerouting.handle_event(app.extensions["orders"], envelope)


@pytest.fixture
def dead_decline(orders_app, two_suppliers, buyer, token, monkeypatch):
    """An order, a declined supplier order, and a bug in the re-routing handler that made
    the decline fail until it was parked dead."""
    p, client = two_suppliers, orders_app.test_client()
    order = client.post(
        "/v1/orders",
        json={
            "delivery_address": "광명시청",
            "needed_by": NEEDED_BY,
            "lines": [{"product_id": p["snack"]["id"], "quantity": 10}],
        },
        headers={**buyer(), "Idempotency-Key": str(uuid.uuid4())},
    ).get_json()
    (so,) = order["supplier_orders"]
    declined = client.post(
        f"/v1/supplier-orders/{so['id']}/decline",
        json={"reason": "설비 고장"},
        headers=token("enterprise", so["enterprise_id"]),
    )
    assert declined.status_code == 200
    with orders_app.extensions["orders"].db.reading() as session:
        event = session.scalars(
            select(OutboxMessage).where(OutboxMessage.type == "supplier_order.declined")
        ).one()
        envelope = event.envelope().to_dict()

    def bug(*_args):
        raise RuntimeError("재배정 처리 중 오류")

    with monkeypatch.context() as patched:
        patched.setattr(rerouting, "reroute", bug)
        for _ in range(5):
            with pytest.raises(RuntimeError):
                handle(orders_app, envelope)
        assert handle(orders_app, envelope) == "dead"
    return order, envelope


def test_an_admin_sees_the_dead_decline_and_replays_it_once(
    orders_app, dead_decline, token, redis_client
):
    order, envelope = dead_decline
    client = orders_app.test_client()
    listed = client.get("/v1/ops/dead-events", headers=token("admin")).get_json()["items"]
    assert [(e["id"], e["type"], e["attempts"]) for e in listed] == [
        (envelope["id"], "supplier_order.declined", 6)
    ]
    assert "재배정 처리 중 오류" in listed[0]["last_error"]

    redis_client.delete("orders")
    replayed = client.post(f"/v1/ops/dead-events/{envelope['id']}/replay", headers=token("admin"))
    assert replayed.status_code == 202, replayed.get_json()
    assert replayed.get_json() == {"id": envelope["id"], "status": "processing", "attempts": 0}
    assert queued(redis_client) == [envelope]  # once, as orders first sent it

    assert handle(orders_app, envelope) == "done"  # the handler is fixed now
    with orders_app.extensions["orders"].db.reading() as session:
        line = session.scalar(select(OrderLine).where(OrderLine.order_id == order["id"]))
        assert line.status == "unfulfillable"  # re-routed: no other supplier for it
        rerouted = session.scalars(
            select(OutboxMessage).where(OutboxMessage.type == "supplier_order.rerouted")
        ).all()
    assert len(rerouted) == 1
    assert client.get("/v1/ops/dead-events", headers=token("admin")).get_json()["items"] == []

    again = client.post(f"/v1/ops/dead-events/{envelope['id']}/replay", headers=token("admin"))
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_transition"
    assert again.get_json()["detail"] == "실패(dead) 상태인 이벤트만 다시 처리합니다."
    assert len(queued(redis_client)) == 1


def test_unknown_and_unkept_events(orders_app, token):
    client = orders_app.test_client()
    unknown = client.post(
        "/v1/ops/dead-events/01M8PH2KKAS4AYEXGJXE4GT03C/replay", headers=token("admin")
    )
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "event_not_found"

    with orders_app.extensions["orders"].db.transaction() as session:  # sent by nobody here
        session.add(
            InboundEvent(
                id="01M8PH2KKAS4AYEXGJXE4GT03D",
                type="supplier_order.expired",
                source="orders",
                status="dead",
                attempts=6,
                received_at=utcnow(),
            )
        )
    kept = client.post(
        "/v1/ops/dead-events/01M8PH2KKAS4AYEXGJXE4GT03D/replay", headers=token("admin")
    )
    assert kept.status_code == 409 and kept.get_json()["code"] == "event_not_replayable"


@pytest.mark.parametrize("role", ["buyer", "institution_admin", "enterprise", "service"])
def test_only_admins(orders_app, token, role):
    client = orders_app.test_client()
    assert client.get("/v1/ops/dead-events", headers=token(role, "ORG")).status_code == 403
    replay = client.post(
        "/v1/ops/dead-events/01M8PH2KKAS4AYEXGJXE4GT03C/replay", headers=token(role, "ORG")
    )
    assert replay.status_code == 403
    assert client.get("/v1/ops/dead-events").status_code == 401
