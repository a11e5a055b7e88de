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


def test_a_declined_product_line_becomes_unfulfillable_and_the_buyer_is_told(
    orders_app, two_suppliers, buyer, token
):
    p, client = two_suppliers, orders_app.test_client()
    order = client.post(
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
