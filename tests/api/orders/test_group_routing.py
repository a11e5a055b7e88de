"""Product-group lines through the real catalog: eligibility, the brand's policy, splitting
across capacity, the capacity ledger under contention, and re-routing after a decline."""

import threading
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from orders.adapters.models import CapacityWeek, Order, OutboxMessage
from orders.services import rerouting
from tests.support.builders import create_product, register_enterprise

GROUP = "KIMCHI-POGI-10KG"
NEEDED_BY = date.today() + timedelta(days=14)


@pytest.fixture
def kimchi_makers(catalog_app, token):
    """포기김치 10kg from three certified enterprises, 100 boxes a week each, all listed
    under 비츠원 (local_first) — in 광명, in 시흥 (same 시도) and in 완주."""
    client, admin = catalog_app.test_client(), token("admin")
    assert (
        client.post(
            "/v1/product-groups",
            json={"code": GROUP, "name": "포기김치 10kg", "unit": "박스"},
            headers=admin,
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/v1/brands",
            json={
                "code": "BITSONE",
                "name": "비츠원",
                "sido_code": "41",
                "sigungu_code": "41210",
                "listing_validity_months": 24,
                "routing_policy": "local_first",
                "acceptance_hours": 24,
            },
            headers=admin,
        ).status_code
        == 201
    )
    makers = {}
    for key, name, sigungu, price in (
        ("gm", "광명 김치 협동조합", "41210", 66000),
        ("sh", "시흥 김치 사회적기업", "41390", 64000),
        ("wj", "완주 김치 마을기업", "52710", 60000),
    ):
        enterprise = register_enterprise(client, admin, name=name, sigungu_code=sigungu)
        certified = client.post(
            f"/v1/enterprises/{enterprise['id']}/certifications",
            json={
                "kind": "social_enterprise",
                "number": f"2025-{key}",
                "issuer": "고용노동부",
                "valid_from": (date.today() - timedelta(days=30)).isoformat(),
                "valid_to": (date.today() + timedelta(days=365)).isoformat(),
            },
            headers=admin,
        )
        assert certified.status_code == 201, certified.get_json()
        product = create_product(
            client,
            admin,
            enterprise["id"],
            name="포기김치 10kg",
            unit="박스",
            unit_price=price,
            tax_type="exempt",
            group_code=GROUP,
            weekly_capacity=100,
            lead_time_days=3,
        )
        listed = client.put(f"/v1/brands/BITSONE/listings/{product['id']}", json={}, headers=admin)
        assert listed.status_code in (200, 201), listed.get_json()
        makers[key] = {"enterprise": enterprise, "product": product}
    return makers


def place(client, headers, quantity, **extra):
    body = {
        "delivery_address": "경기도 광명시 시청로 20",
        "delivery_sigungu_code": "41210",
        "needed_by": NEEDED_BY.isoformat(),
        "brand_code": "BITSONE",
        "lines": [{"group_code": GROUP, "quantity": quantity}],
    } | extra
    return client.post(
        "/v1/orders", json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
    )


def allocated(order):
    return {
        so["enterprise_name"]: sum(ln["quantity"] for ln in so["lines"])
        for so in order["supplier_orders"]
    }


def test_local_first_splits_a_large_line_across_capacity_and_explains_why(
    orders_app, kimchi_makers, buyer
):
    client = orders_app.test_client()
    response = place(client, buyer(), 250)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert allocated(order) == {
        "광명 김치 협동조합": 100,
        "시흥 김치 사회적기업": 100,
        "완주 김치 마을기업": 50,
    }
    assert order["routing_policy"] == "local_first"
    assert order["total_amount"] == 100 * 66000 + 100 * 64000 + 50 * 60000  # 면세

    report = client.get(f"/v1/orders/{order['id']}/routing", headers=buyer()).get_json()
    (decision,) = report["decisions"]
    assert (decision["trigger"], decision["quantity"], decision["unallocated_quantity"]) == (
        "placement",
        250,
        0,
    )
    ranks = [
        (c["enterprise_name"], c["rank"], c["allocated_quantity"]) for c in decision["candidates"]
    ]
    assert ranks == [
        ("광명 김치 협동조합", 1, 100),
        ("시흥 김치 사회적기업", 2, 100),
        ("완주 김치 마을기업", 3, 50),
    ]


def test_capacity_is_a_ledger_and_a_short_order_is_refused_whole(orders_app, kimchi_makers, buyer):
    client = orders_app.test_client()
    assert place(client, buyer(), 250).status_code == 201
    refused = place(client, buyer(), 60)
    assert refused.status_code == 422
    line = refused.get_json()["errors"]["lines"]["0"]
    assert line["code"] == "insufficient_capacity"
    assert "50박스" in line["detail"]
    full = {c["enterprise_name"]: [r["code"] for r in c["reasons"]] for c in line["candidates"]}
    assert full["광명 김치 협동조합"] == ["no_capacity"]
    with orders_app.extensions["orders"].db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1
        reserved = {r.product_id: r.reserved for r in session.scalars(select(CapacityWeek))}
    assert sorted(reserved.values()) == [50, 100, 100]
    assert place(client, buyer(), 50).status_code == 201  # exactly what is left


def test_ineligible_suppliers_are_skipped_with_reasons(orders_app, kimchi_makers, buyer):
    too_soon = place(
        orders_app.test_client(),
        buyer(),
        10,
        needed_by=(date.today() + timedelta(days=1)).isoformat(),
    )
    assert too_soon.status_code == 422
    line = too_soon.get_json()["errors"]["lines"]["0"]
    assert line["code"] == "no_eligible_supplier"
    assert {r["code"] for c in line["candidates"] for r in c["reasons"]} == {"lead_time"}
    unknown = place(
        orders_app.test_client(),
        buyer(),
        10,
        lines=[{"group_code": "NO-SUCH-GROUP", "quantity": 1}],
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"]["lines"]["0"]["code"] == "group_not_found"


@pytest.mark.committed  # threads race on real connections
def test_two_buyers_racing_for_the_last_capacity_never_both_get_it(
    orders_app, kimchi_makers, buyer
):
    assert place(orders_app.test_client(), buyer(), 200).status_code == 201  # 100 left (완주)
    barrier, statuses = threading.Barrier(2), []

    def race():
        client = orders_app.test_client()
        barrier.wait()
        statuses.append(place(client, buyer(), 80).status_code)

    threads = [threading.Thread(target=race) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 422]
    with orders_app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(CapacityWeek)).all()
    assert all(r.reserved <= r.capacity for r in rows)
    assert sum(r.reserved for r in rows) == 280


def test_a_decline_is_rerouted_to_the_next_eligible_enterprise(
    orders_app, kimchi_makers, buyer, token
):
    client = orders_app.test_client()
    order = place(client, buyer(), 120).get_json()
    assert allocated(order) == {"광명 김치 협동조합": 100, "시흥 김치 사회적기업": 20}
    gm = kimchi_makers["gm"]["enterprise"]["id"]
    gm_so = next(so for so in order["supplier_orders"] if so["enterprise_id"] == gm)
    assert (
        client.post(
            f"/v1/supplier-orders/{gm_so['id']}/decline",
            json={"reason": "배추 수급"},
            headers=token("enterprise", gm),
        ).status_code
        == 200
    )
    with orders_app.extensions["orders"].db.reading() as session:
        event = session.scalar(
            select(OutboxMessage).where(OutboxMessage.type == "supplier_order.declined")
        )
    with orders_app.app_context():
        assert (
            rerouting.handle_event(orders_app.extensions["orders"], event.envelope().to_dict())
            == "done"
        )

    after = client.get(f"/v1/orders/{order['id']}", headers=buyer()).get_json()
    live = sorted(
        (
            so["enterprise_name"],
            sum(ln["quantity"] for ln in so["lines"]),
            so["rerouted_from_id"] == gm_so["id"],
        )
        for so in after["supplier_orders"]
        if so["status"] == "pending"
    )
    # 광명 is excluded; 시흥 (same 시도) takes the 80 it has left, 완주 the other 20
    assert live == [
        ("시흥 김치 사회적기업", 20, False),
        ("시흥 김치 사회적기업", 80, True),
        ("완주 김치 마을기업", 20, True),
    ]
    assert after["total_amount"] == 100 * 64000 + 20 * 60000
    report = client.get(f"/v1/orders/{order['id']}/routing", headers=buyer()).get_json()
    assert [d["trigger"] for d in report["decisions"]] == ["placement", "declined"]
    excluded = [
        c
        for c in report["decisions"][1]["candidates"]
        if c["enterprise_name"] == "광명 김치 협동조합"
    ]
    assert [r["code"] for r in excluded[0]["reasons"]] == ["excluded"]


def test_rerouting_two_lines_of_one_group_never_oversells(orders_app, kimchi_makers, buyer, token):
    """Two declined lines share one pool of candidates: the second must see what the first
    took, as placement does (the ledger holds 100 a week per product)."""
    client = orders_app.test_client()
    two_lines = [{"group_code": GROUP, "quantity": 60}, {"group_code": GROUP, "quantity": 60}]
    order = place(client, buyer(), 0, lines=two_lines).get_json()
    assert allocated(order) == {"광명 김치 협동조합": 100, "시흥 김치 사회적기업": 20}
    gm = kimchi_makers["gm"]["enterprise"]["id"]
    gm_so = next(so for so in order["supplier_orders"] if so["enterprise_id"] == gm)
    declined = client.post(
        f"/v1/supplier-orders/{gm_so['id']}/decline",
        json={"reason": "배추 수급"},
        headers=token("enterprise", gm),
    )
    assert declined.status_code == 200
    with orders_app.extensions["orders"].db.reading() as session:
        event = session.scalar(
            select(OutboxMessage).where(OutboxMessage.type == "supplier_order.declined")
        )
    with orders_app.app_context():
        outcome = rerouting.handle_event(
            orders_app.extensions["orders"], event.envelope().to_dict()
        )
    assert outcome == "done"

    after = client.get(f"/v1/orders/{order['id']}", headers=buyer()).get_json()
    live: dict[str, int] = {}
    for so in after["supplier_orders"]:
        if so["status"] == "pending":
            live[so["enterprise_name"]] = live.get(so["enterprise_name"], 0) + sum(
                ln["quantity"] for ln in so["lines"]
            )
    assert live == {"시흥 김치 사회적기업": 100, "완주 김치 마을기업": 20}
    with orders_app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(CapacityWeek)).all()
    assert all(r.reserved <= r.capacity for r in rows), [(r.reserved, r.capacity) for r in rows]
