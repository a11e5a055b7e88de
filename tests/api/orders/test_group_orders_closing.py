"""Closing a group order (단체 구매) over HTTP: at the deadline it becomes one order whose
shares add up exactly, or is cancelled below the minimum; the organiser closes early or
cancels; a failed placement, a catalog that is down, a stale read, and the race."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from catalog.adapters.models import Product
from orders.adapters.models import GroupOrder, Order, SupplierOrder
from orders.services.group_orders import access, closing
from tests.support.builders import create_product, keyed
from tests.support.group_orders import (
    KIM,
    LEE,
    PARK,
    close_due,
    count,
    events,
    join,
    joined,
    mine,
    open_body,
    organiser_view,
    participant_url,
    pass_deadline,
    put,
)
from tests.support.infra import free_port


def test_at_the_deadline_it_becomes_one_order_and_the_shares_add_up_exactly(
    orders_app, opened, buyer
):
    client, code = orders_app.test_client(), opened["share_code"]
    kim = joined(client, code, KIM, {1: 3, 2: 1})
    lee = joined(client, code, LEE, {1: 4, 3: 2})
    park = joined(client, code, PARK, {2: 2})
    withdrawn = joined(client, code, ("최영희", "010-9999-0000"), {1: 50})
    client.delete(participant_url(code, withdrawn), headers=mine(withdrawn))
    assert close_due(orders_app) == 0  # not due yet
    pass_deadline(orders_app, opened["id"])

    assert close_due(orders_app) == 1
    assert close_due(orders_app) == 0  # already closed: nothing more
    view = organiser_view(client, opened, buyer())
    assert (view["status"], view["status_label"]) == ("closed", "주문 완료")
    assert view["closed_at"] and view["order_id"]
    order = client.get(f"/v1/orders/{view['order_id']}", headers=buyer()).get_json()

    # one order, as the organiser, for the summed quantities
    assert count(orders_app, Order) == 1
    assert (order["buyer_id"], order["department"]) == ("buyer-user", "총무과")
    assert order["memo"].startswith("단체 구매: 광명종합사회복지관 김장 나눔 단체 구매")
    assert [(ln["name"], ln["quantity"]) for ln in order["lines"]] == [
        ("두부과자 200g", 7),
        ("포기김치 10kg", 3),
        ("호두과자 20개입", 2),
    ]
    assert order["total_amount"] == 52064 + 195000

    # each participant's share: Σ == the order's amounts, exactly
    shares = {p["name"]: p for p in view["participants"] if p["status"] == "active"}
    assert sum(p["supply_amount"] for p in shares.values()) == order["supply_amount"]
    assert sum(p["vat_amount"] for p in shares.values()) == order["vat_amount"]
    assert sum(p["total_amount"] for p in shares.values()) == order["total_amount"]
    assert {n: (p["supply_amount"], p["vat_amount"]) for n, p in shares.items()} == {
        "김순자": (9_999 + 65_000, 1_000),
        "이지수": (13_332 + 24_000, 3_733),
        "박민호": (130_000, 0),
    }
    for so in order["supplier_orders"]:
        parts = [
            b for p in shares.values() for b in p["breakdown"] if b["supplier_order_id"] == so["id"]
        ]
        assert sum(b["supply_amount"] for b in parts) == so["supply_amount"]
        assert sum(b["vat_amount"] for b in parts) == so["vat_amount"]
    gone = next(p for p in view["participants"] if p["status"] == "withdrawn")
    assert gone["total_amount"] is None

    # a participant sees their own share
    own = client.get(participant_url(code, kim), headers=mine(kim)).get_json()
    assert own["total_amount"] == 75_999 and own["group_order"]["status"] == "closed"
    assert lee["id"] != park["id"]

    # events: the order's own, and group_order.closed with everyone's share
    types = [e.type for e in events(orders_app)]
    assert types.count("order.placed") == 1 and types.count("group_order.closed") == 1
    (closed,) = events(orders_app, "group_order.closed")
    assert closed.data["order_id"] == order["id"]
    assert closed.published_at is not None
    people = {p["name"]: p for p in closed.data["participants"]}
    assert set(people) == {"김순자", "이지수", "박민호"}
    assert people["김순자"]["contact"] == "010-1234-5678"
    assert people["김순자"]["amount"] == 75_999
    assert people["이지수"]["quantities"] == [
        {"item_no": 1, "name": "두부과자 200g", "unit": "봉", "quantity": 4},
        {"item_no": 3, "name": "호두과자 20개입", "unit": "봉", "quantity": 2},
    ]
    assert sum(p["amount"] for p in people.values()) == order["total_amount"]


def test_below_the_minimum_at_the_deadline_it_is_cancelled_and_everyone_told(
    orders_app, opened, buyer
):
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 3})
    joined(client, code, LEE, {2: 2})
    pass_deadline(orders_app, opened["id"])

    assert close_due(orders_app) == 1
    view = organiser_view(client, opened, buyer())
    assert (view["status"], view["order_id"]) == ("cancelled", None)
    assert "최소 수량 10개" in view["status_reason"]
    assert count(orders_app, Order) == 0
    (cancelled,) = events(orders_app, "group_order.cancelled")
    assert cancelled.data["reason_code"] == "minimum_not_met"
    assert (cancelled.data["total_quantity"], cancelled.data["minimum_quantity"]) == (5, 10)
    assert [(p["name"], p["contact"]) for p in cancelled.data["participants"]] == [KIM, LEE]
    assert cancelled.published_at is not None
    assert close_due(orders_app) == 0


def test_the_organiser_closes_early_only_once_the_minimum_is_met(orders_app, opened, buyer):
    client, code = orders_app.test_client(), opened["share_code"]
    url = f"/v1/group-orders/{opened['id']}/close"
    joined(client, code, KIM, {1: 4})
    early = client.post(url, headers=buyer())
    assert early.status_code == 409
    problem = early.get_json()
    assert (problem["code"], problem["current_state"]) == ("minimum_not_met", "open")
    assert (problem["total_quantity"], problem["minimum_quantity"]) == (4, 10)
    assert count(orders_app, Order) == 0

    joined(client, code, LEE, {2: 3, 3: 3})
    closed = client.post(url, headers=buyer())
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed" and closed.get_json()["order_id"]
    assert count(orders_app, Order) == 1

    again = client.post(url, headers=buyer())
    assert again.status_code == 409
    assert (again.get_json()["code"], again.get_json()["current_state"]) == (
        "invalid_transition",
        "closed",
    )
    cancel = client.post(
        f"/v1/group-orders/{opened['id']}/cancel", json={"reason": "x"}, headers=buyer()
    )
    assert cancel.status_code == 409 and cancel.get_json()["current_state"] == "closed"
    late = join(client, code, PARK, {1: 1})
    assert late.status_code == 409
    assert late.get_json()["title"] == "이미 마감된 단체 구매입니다"
    assert late.get_json()["current_state"] == "closed"
    assert count(orders_app, Order) == 1 and len(events(orders_app, "group_order.closed")) == 1


def test_the_organiser_cancels_before_it_closes(orders_app, opened, buyer):
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 20})
    url = f"/v1/group-orders/{opened['id']}/cancel"
    missing_reason = client.post(url, json={}, headers=buyer())
    assert missing_reason.status_code == 422
    response = client.post(url, json={"reason": "예산 사정으로 취소합니다"}, headers=buyer())
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["status_reason"] == "예산 사정으로 취소합니다"
    (event,) = events(orders_app, "group_order.cancelled")
    assert event.data["reason_code"] == "cancelled_by_organiser"
    assert event.data["participants"][0]["contact"] == "010-1234-5678"

    for refused in (
        client.post(url, json={"reason": "다시"}, headers=buyer()),
        client.post(f"/v1/group-orders/{opened['id']}/close", headers=buyer()),
    ):
        assert refused.status_code == 409
        assert refused.get_json()["current_state"] == "cancelled"
    assert join(client, code, LEE, {1: 1}).status_code == 409
    pass_deadline(orders_app, opened["id"])
    assert close_due(orders_app) == 0
    assert count(orders_app, Order) == 0


def test_when_the_order_cannot_be_placed_it_fails_and_everyone_is_told(
    orders_app, two_suppliers, buyer, catalog_app, token
):
    client = orders_app.test_client()
    seasoning = create_product(
        catalog_app.test_client(),
        token("admin"),
        two_suppliers["kimchi"]["id"],
        name="김장 양념 5kg",
        unit="통",
    )
    go = client.post(
        "/v1/group-orders",
        json=open_body(
            two_suppliers,
            items=[{"product_id": seasoning["id"]}, {"product_id": two_suppliers["snack"]["id"]}],
            minimum_quantity=3,
        ),
        headers=keyed(buyer()),
    ).get_json()
    joined(client, go["share_code"], KIM, {1: 4, 2: 1})
    joined(client, go["share_code"], LEE, {1: 4})
    # the enterprise stops selling it after the group order opened
    with catalog_app.extensions["catalog"].db.transaction() as session:
        session.execute(
            update(Product).where(Product.id == seasoning["id"]).values(status="discontinued")
        )

    # early: refused with the placement's problem, and nothing changes
    early = client.post(f"/v1/group-orders/{go['id']}/close", headers=buyer())
    assert early.status_code == 422
    assert early.get_json()["errors"]["lines"]["0"]["code"] == "product_unavailable"
    assert organiser_view(client, go, buyer())["status"] == "open"
    assert events(orders_app, "group_order.failed") == []

    # at the deadline: failed, with the problem kept
    pass_deadline(orders_app, go["id"])
    assert close_due(orders_app) == 1
    view = organiser_view(client, go, buyer())
    assert view["status"] == "failed" and view["order_id"] is None
    assert view["failure"]["code"] == "order_lines_invalid"
    assert view["failure"]["errors"]["lines"]["0"]["code"] == "product_unavailable"
    assert count(orders_app, Order) == 0 and count(orders_app, SupplierOrder) == 0
    (failed,) = events(orders_app, "group_order.failed")
    assert failed.data["reason_code"] == "order_lines_invalid"
    assert failed.data["reason"].startswith("주문을 넣지 못했습니다")
    assert [(p["name"], p["contact"]) for p in failed.data["participants"]] == [KIM, LEE]
    assert failed.data["problem"]["code"] == "order_lines_invalid"
    assert failed.published_at is not None
    assert close_due(orders_app) == 0


@pytest.mark.committed  # a second app reads the same database
def test_catalog_down_at_the_deadline_keeps_it_open_and_the_next_minute_closes_it(
    orders_app, opened, buyer, service_config
):
    import orders as orders_service

    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 12})
    pass_deadline(orders_app, opened["id"])
    down = orders_service.create_app(
        {**service_config, "CATALOG_URL": f"http://127.0.0.1:{free_port()}"}
    )

    assert close_due(down) == 0
    view = organiser_view(client, opened, buyer())
    assert (view["status"], view["close_attempts"]) == ("open", 1)
    assert "카탈로그" in view["last_close_error"]
    assert join(client, code, LEE, {1: 1}).status_code == 409  # past the deadline
    assert count(orders_app, Order) == 0 and events(orders_app, "group_order.closed") == []

    assert close_due(orders_app) == 1
    assert organiser_view(client, opened, buyer())["status"] == "closed"
    assert count(orders_app, Order) == 1


def test_a_closer_holding_a_stale_read_places_nothing(orders_app, opened, two_suppliers, buyer):
    """The check that matters happens inside the order's transaction, on the locked row."""
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 12})
    o = orders_app.extensions["orders"]
    with o.db.reading() as session:
        stale = session.scalar(
            select(GroupOrder).where(GroupOrder.id == opened["id"]).options(*access.FULL)
        )
    pass_deadline(orders_app, opened["id"])
    assert close_due(orders_app) == 1
    with orders_app.app_context(), pytest.raises(closing.Settled) as settled:
        closing.place(o, stale)
    assert settled.value.state == "closed"
    assert count(orders_app, Order) == 1

    # a quantity changed after the read: nothing placed either
    other = client.post(
        "/v1/group-orders", json=open_body(two_suppliers), headers=keyed(buyer())
    ).get_json()
    kim = joined(client, other["share_code"], KIM, {1: 12})
    with o.db.reading() as session:
        before = session.scalar(
            select(GroupOrder).where(GroupOrder.id == other["id"]).options(*access.FULL)
        )
    assert put(client, other["share_code"], kim, {1: 13}).status_code == 200
    with orders_app.app_context(), pytest.raises(closing.Changed):
        closing.place(o, before)
    assert count(orders_app, Order) == 1


@pytest.mark.committed  # threads race on real connections
@pytest.mark.parametrize("round_", range(3))
def test_the_beat_and_the_organiser_racing_place_one_order(orders_app, opened, buyer, round_):
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 6, 2: 2})
    joined(client, code, LEE, {3: 4})
    pass_deadline(orders_app, opened["id"])
    barrier, results = threading.Barrier(2), {}

    def beat():
        barrier.wait()
        results["beat"] = close_due(orders_app)

    def organiser():
        barrier.wait()
        results["organiser"] = (
            orders_app.test_client()
            .post(f"/v1/group-orders/{opened['id']}/close", headers=buyer())
            .status_code
        )

    threads = [threading.Thread(target=beat), threading.Thread(target=organiser)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (results["beat"], results["organiser"]) in {(1, 409), (0, 200)}
    assert count(orders_app, Order) == 1
    assert len(events(orders_app, "group_order.closed")) == 1
    assert len(events(orders_app, "order.placed")) == 1
    view = organiser_view(client, opened, buyer())
    assert view["status"] == "closed"
    assert (
        sum(p["total_amount"] for p in view["participants"])
        == (
            client.get(f"/v1/orders/{view['order_id']}", headers=buyer()).get_json()["total_amount"]
        )
    )
