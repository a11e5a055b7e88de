"""A supplier order's life over HTTP: answer, produce, ship, deliver, 검수, invoice, pay;
refusals, stale versions, concurrent answers, cancellation and expiry."""

import threading
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from gachi_kit.events import utcnow
from orders.adapters.models import OutboxMessage, SupplierOrder
from orders.services import expiry

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def placed(orders_app, two_suppliers, buyer):
    """An order of 두부과자 ×7, 포기김치 ×3, 호두과자 ×2 → two supplier orders."""
    p = two_suppliers
    response = orders_app.test_client().post(
        "/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": NEEDED_BY,
            "lines": [
                {"product_id": p["snack"]["id"], "quantity": 7},
                {"product_id": p["kimchi10"]["id"], "quantity": 3},
                {"product_id": p["snack2"]["id"], "quantity": 2},
            ],
        },
        headers={**buyer(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    by_enterprise = {so["enterprise_id"]: so for so in order["supplier_orders"]}
    return {
        "order": order,
        "tofu_so": by_enterprise[p["tofu"]["id"]],
        "kimchi_so": by_enterprise[p["kimchi"]["id"]],
    } | p


def act(client, so_id, action, headers, **body):
    return client.post(f"/v1/supplier-orders/{so_id}/{action}", json=body, headers=headers)


def events(app, *types):
    with app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if not types or r.type in types]


def test_the_whole_life_of_an_order_until_it_is_completed(orders_app, placed, token, buyer):
    client = orders_app.test_client()
    tofu, kimchi = (
        token("enterprise", placed["tofu"]["id"]),
        token("enterprise", placed["kimchi"]["id"]),
    )
    tofu_so, kimchi_so = placed["tofu_so"]["id"], placed["kimchi_so"]["id"]

    steps = [
        (tofu_so, "accept", tofu, {}, "accepted"),
        (tofu_so, "production", tofu, {}, "in_production"),
        (
            tofu_so,
            "ship",
            tofu,
            {"carrier": "CJ대한통운", "tracking_number": "6543-2109-8765"},
            "shipped",
        ),
        (tofu_so, "deliver", tofu, {}, "delivered"),
        (
            tofu_so,
            "inspect",
            buyer(),
            {
                "lines": [
                    {
                        "line_no": 1,
                        "accepted_quantity": 6,
                        "rejected_quantity": 1,
                        "reason": "포장 파손",
                    },
                ]
            },
            "inspected",
        ),
        (tofu_so, "invoice", tofu, {}, "invoiced"),
        (tofu_so, "pay", buyer(), {}, "paid"),
        (kimchi_so, "accept", kimchi, {}, "accepted"),
        (kimchi_so, "ship", kimchi, {"carrier": "직접 배송", "tracking_number": "-"}, "shipped"),
        (kimchi_so, "deliver", kimchi, {}, "delivered"),
        (kimchi_so, "inspect", buyer(), {}, "inspected"),
        (kimchi_so, "invoice", kimchi, {}, "invoiced"),
        (kimchi_so, "pay", buyer(dept="총무과", role="institution_admin"), {}, "paid"),
    ]
    for so_id, action, headers, body, state in steps:
        response = act(client, so_id, action, headers, **body)
        assert response.status_code == 200, (action, response.get_json())
        assert response.get_json()["status"] == state

    tofu_after = client.get(f"/v1/supplier-orders/{tofu_so}", headers=tofu).get_json()
    snack = next(ln for ln in tofu_after["lines"] if ln["name"] == "두부과자 200g")
    assert (snack["inspected_accepted_quantity"], snack["inspected_rejected_quantity"]) == (6, 1)
    # inspected amounts are what is bought: 6 × 3,333 + 2 × 12,000 = 43,998; VAT 4,399
    assert (tofu_after["supply_amount"], tofu_after["vat_amount"]) == (43998, 4399)
    order = client.get(f"/v1/orders/{placed['order']['id']}", headers=buyer()).get_json()
    assert order["status"] == "completed"
    assert order["total_amount"] == 43998 + 4399 + 195000
    completed = events(orders_app, "order.completed")
    assert len(completed) == 1 and completed[0].data["total_amount"] == order["total_amount"]


def test_partial_acceptance_needs_a_reason_and_releases_the_rest(orders_app, placed, token):
    client, so = orders_app.test_client(), placed["tofu_so"]
    tofu = token("enterprise", placed["tofu"]["id"])
    missing_reason = act(
        client, so["id"], "accept", tofu, lines=[{"line_no": 1, "accepted_quantity": 4}]
    )
    assert missing_reason.status_code == 422
    too_many = act(
        client,
        so["id"],
        "accept",
        tofu,
        lines=[{"line_no": 1, "accepted_quantity": 8, "reason": "x"}],
    )
    assert too_many.status_code == 422

    response = act(
        client,
        so["id"],
        "accept",
        tofu,
        lines=[{"line_no": 1, "accepted_quantity": 4, "reason": "재료 부족"}],
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "partially_accepted"
    # 4 × 3,333 + 2 × 12,000 = 37,332; VAT 3,733
    assert (body["supply_amount"], body["vat_amount"]) == (37332, 3733)
    (event,) = events(orders_app, "supplier_order.partially_accepted")
    assert event.data["lines"][0]["accepted_quantity"] == 4


def test_refused_actions_are_409_with_the_current_state(orders_app, placed, token, buyer):
    client, so = orders_app.test_client(), placed["tofu_so"]
    tofu = token("enterprise", placed["tofu"]["id"])
    early = act(client, so["id"], "ship", tofu, carrier="CJ", tracking_number="1")
    assert early.status_code == 409
    assert early.get_json() | {} and early.get_json()["code"] == "invalid_transition"
    assert early.get_json()["current_state"] == "pending"

    assert act(client, so["id"], "accept", tofu).status_code == 200
    twice = act(client, so["id"], "accept", tofu)
    assert twice.status_code == 409 and twice.get_json()["current_state"] == "accepted"
    stale = act(client, so["id"], "production", tofu, version=1)
    assert stale.status_code == 409 and stale.get_json()["code"] == "stale_version"
    assert stale.get_json()["current_version"] == 2
    assert act(client, so["id"], "production", tofu, version=2).status_code == 200
    assert len(events(orders_app, "supplier_order.accepted")) == 1


def test_who_may_do_what(orders_app, placed, token, buyer, institution):
    client, so = orders_app.test_client(), placed["tofu_so"]["id"]
    kimchi = token("enterprise", placed["kimchi"]["id"])
    other_dept = buyer(dept="복지정책과")
    cases = [
        ("accept", kimchi, 404),  # another enterprise's supplier order does not exist for it
        ("accept", buyer(), 403),  # buyers never answer for an enterprise (role check first)
        ("inspect", other_dept, 404),  # another department's order does not exist for it
        ("accept", token("service"), 404),  # a service must say whom it acts for
        ("accept", token("committee", "x"), 403),
        ("accept", token("admin"), 403),
        ("inspect", token("enterprise", placed["tofu"]["id"]), 403),
    ]
    for action, headers, status in cases:
        response = act(client, so, action, headers)
        assert response.status_code == status, (action, headers, response.get_json())
    assert client.post(f"/v1/supplier-orders/{so}/accept", json={}).status_code == 401
    acting = act(client, so, "accept", token("service"), acting_for=placed["tofu"]["id"])
    assert acting.status_code == 200 and acting.get_json()["status"] == "accepted"

    listing = client.get("/v1/supplier-orders", headers=kimchi).get_json()["items"]
    assert [s["id"] for s in listing] == [placed["kimchi_so"]["id"]]
    assert client.get(f"/v1/supplier-orders/{so}", headers=kimchi).status_code == 404
    assert client.get(f"/v1/orders/{placed['order']['id']}", headers=other_dept).status_code == 404
    admin_view = client.get(
        f"/v1/orders/{placed['order']['id']}", headers=buyer(role="institution_admin", dept=None)
    )
    assert admin_view.status_code == 200


@pytest.mark.committed  # threads race on real connections
def test_two_answers_at_the_same_moment_one_wins(orders_app, placed, token):
    so, tofu = placed["tofu_so"]["id"], token("enterprise", placed["tofu"]["id"])
    barrier, results = threading.Barrier(2), []

    def answer(action, body):
        client = orders_app.test_client()
        barrier.wait()
        results.append(act(client, so, action, tofu, **body).status_code)

    threads = [
        threading.Thread(target=answer, args=("accept", {})),
        threading.Thread(target=answer, args=("decline", {"reason": "생산 일정 불가"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    answered = events(orders_app, "supplier_order.accepted", "supplier_order.declined")
    assert len(answered) == 1


def test_buyer_cancels_before_shipping_and_not_after(orders_app, placed, token, buyer):
    client = orders_app.test_client()
    kimchi = token("enterprise", placed["kimchi"]["id"])
    act(client, placed["kimchi_so"]["id"], "accept", kimchi)
    act(client, placed["kimchi_so"]["id"], "ship", kimchi, carrier="직접", tracking_number="-")

    order_id = placed["order"]["id"]
    whole = client.post(
        f"/v1/orders/{order_id}/cancel", json={"reason": "예산 변경"}, headers=buyer()
    )
    assert whole.status_code == 409 and whole.get_json()["code"] == "not_cancellable"
    assert events(orders_app, "supplier_order.cancelled") == []

    line = client.post(
        f"/v1/orders/{order_id}/cancel",
        json={"reason": "두부과자 불필요", "line_nos": [1]},
        headers=buyer(),
    )
    assert line.status_code == 200, line.get_json()
    tofu_so = next(
        so for so in line.get_json()["supplier_orders"] if so["id"] == placed["tofu_so"]["id"]
    )
    assert tofu_so["status"] == "pending"  # 호두과자 is still wanted
    assert [ln["cancelled"] for ln in tofu_so["lines"]] == [True, False]
    assert tofu_so["supply_amount"] == 24000
    assert len(events(orders_app, "supplier_order.lines_cancelled")) == 1

    rest = client.post(
        f"/v1/orders/{order_id}/cancel",
        json={"reason": "호두과자도 불필요", "line_nos": [3]},
        headers=buyer(),
    )
    tofu_so = next(
        so for so in rest.get_json()["supplier_orders"] if so["id"] == placed["tofu_so"]["id"]
    )
    assert tofu_so["status"] == "cancelled" and tofu_so["total_amount"] == 0
    assert len(events(orders_app, "supplier_order.cancelled")) == 1
    again = client.post(
        f"/v1/orders/{order_id}/cancel", json={"reason": "x", "line_nos": [1]}, headers=buyer()
    )
    assert again.status_code == 409


def test_unanswered_supplier_orders_expire_after_the_deadline(orders_app, placed):
    o = orders_app.extensions["orders"]
    with o.db.transaction() as session:
        session.execute(
            update(SupplierOrder)
            .where(SupplierOrder.id == placed["tofu_so"]["id"])
            .values(acceptance_deadline=utcnow() - timedelta(minutes=1))
        )
    with orders_app.app_context():
        assert expiry.expire_overdue(o) == 1
        assert expiry.expire_overdue(o) == 0
    with o.db.reading() as session:
        tofu = session.get(SupplierOrder, placed["tofu_so"]["id"])
        kimchi = session.get(SupplierOrder, placed["kimchi_so"]["id"])
    assert (tofu.status, tofu.total_amount) == ("expired", 0)
    assert kimchi.status == "pending"
    assert len(events(orders_app, "supplier_order.expired")) == 1
