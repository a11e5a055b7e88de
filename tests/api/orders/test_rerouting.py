"""The compensating half of the saga: declined and expired quantities move on, or become
unfulfillable, and the buyer is told; the same event twice changes nothing."""

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from orders.adapters.models import OrderLine, OutboxMessage
from orders.services import rerouting

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


def latest(app, event_type):
    with app.extensions["orders"].db.reading() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.type == event_type).order_by(OutboxMessage.id)
        ).all()
    return rows[-1]


def consume(app, row):
    with app.app_context():
        return rerouting.handle_event(app.extensions["orders"], row.envelope().to_dict())


def place_snacks_and_kimchi(client, p, buyer) -> dict:
    """두부과자 ×10 from one enterprise, 포기김치 10kg ×2 from the other."""
    return client.post(
        "/v1/orders",
        json={
            "delivery_address": "광명시청",
            "needed_by": NEEDED_BY,
            "lines": [
                {"product_id": p["snack"]["id"], "quantity": 10},
                {"product_id": p["kimchi10"]["id"], "quantity": 2},
            ],
        },
        headers={**buyer(), "Idempotency-Key": str(uuid.uuid4())},
    ).get_json()


def test_a_declined_product_line_becomes_unfulfillable_and_the_buyer_is_told(
    orders_app, two_suppliers, buyer, token
):
    p, client = two_suppliers, orders_app.test_client()
    order = place_snacks_and_kimchi(client, p, buyer)
    tofu_so = next(so for so in order["supplier_orders"] if so["enterprise_id"] == p["tofu"]["id"])
    declined = client.post(
        f"/v1/supplier-orders/{tofu_so['id']}/decline",
        json={"reason": "설비 고장"},
        headers=token("enterprise", p["tofu"]["id"]),
    )
    assert declined.status_code == 200

    event = latest(orders_app, "supplier_order.declined")
    assert consume(orders_app, event) == "done"
    assert consume(orders_app, event) == "duplicate"

    with orders_app.extensions["orders"].db.reading() as session:
        line = session.scalar(
            select(OrderLine).where(OrderLine.order_id == order["id"], OrderLine.line_no == 1)
        )
    assert (line.status, line.unfulfillable_quantity) == ("unfulfillable", 10)
    told = latest(orders_app, "supplier_order.rerouted")
    assert told.data["unfulfillable"] == [{"line_no": 1, "quantity": 10}]
    assert told.data["rerouted_to"] == []

    after = client.get(f"/v1/orders/{order['id']}", headers=buyer()).get_json()
    assert after["status"] == "placed"  # the kimchi supplier order is still open
    assert after["total_amount"] == 130000  # 포기김치 ×2, 면세; the declined part carries nothing


def test_declines_that_arrive_in_one_message_are_each_rerouted_once(
    orders_app, two_suppliers, buyer, token
):
    p, client = two_suppliers, orders_app.test_client()
    order = place_snacks_and_kimchi(client, p, buyer)
    for so in order["supplier_orders"]:
        declined = client.post(
            f"/v1/supplier-orders/{so['id']}/decline",
            json={"reason": "설비 고장"},
            headers=token("enterprise", so["enterprise_id"]),
        )
        assert declined.status_code == 200
    with orders_app.extensions["orders"].db.reading() as session:
        declines = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.type == "supplier_order.declined")
            .order_by(OutboxMessage.id)
        ).all()
    raws = [row.envelope().to_dict() for row in declines]

    with orders_app.app_context():  # the relay's sweep may send them together
        wiring = orders_app.extensions["orders"]
        assert rerouting.handle_events(wiring, raws, True) == ["done", "done"]
        assert rerouting.handle_events(wiring, raws, False) == ["duplicate", "duplicate"]

    with orders_app.extensions["orders"].db.reading() as session:
        lines = session.scalars(
            select(OrderLine).where(OrderLine.order_id == order["id"]).order_by(OrderLine.line_no)
        ).all()
        told = session.scalars(
            select(OutboxMessage).where(OutboxMessage.type == "supplier_order.rerouted")
        ).all()
    assert [(line.status, line.unfulfillable_quantity) for line in lines] == [
        ("unfulfillable", 10),
        ("unfulfillable", 2),
    ]
    assert len(told) == 2  # the buyer is told once per decline
