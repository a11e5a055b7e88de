"""A group order offering a product group (표준 품목): at the close routing splits it across
enterprises at different prices, and every participant's share still adds up exactly, line
by line and tax invoice by tax invoice. Needs catalog's product groups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from gachi_kit.events import utcnow
from orders.adapters.models import GroupOrder
from orders.services.group_orders import closing
from tests.support.builders import create_product, keyed, register_enterprise

GROUP = "TOFU-SNACK-SET"
NEEDED_BY = (date.today() + timedelta(days=14)).isoformat()


@pytest.fixture
def snack_makers(catalog_app, token):
    """두부과자 선물세트 from two certified enterprises: 광명 (5 a week, 3,333원) and
    시흥 (100 a week, 3,517원); both taxable."""
    client, admin = catalog_app.test_client(), token("admin")
    created = client.post(
        "/v1/product-groups",
        json={"code": GROUP, "name": "두부과자 선물세트", "unit": "세트"},
        headers=admin,
    )
    assert created.status_code == 201, created.get_json()
    makers = {}
    for key, name, sigungu, price, capacity in (
        ("gm", "광명 두부 협동조합", "41210", 3_333, 5),
        ("sh", "시흥 두부 사회적기업", "41390", 3_517, 100),
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
        makers[key] = create_product(
            client,
            admin,
            enterprise["id"],
            name="두부과자 선물세트",
            unit="세트",
            unit_price=price,
            tax_type="taxable",
            group_code=GROUP,
            weekly_capacity=capacity,
            lead_time_days=3,
        )
    return makers


def test_a_group_item_split_across_enterprises_is_shared_exactly(
    orders_app, snack_makers, two_suppliers, buyer
):
    client = orders_app.test_client()
    opened = client.post(
        "/v1/group-orders",
        json={
            "title": "광명시 경로당 명절 선물 단체 구매",
            "items": [{"group_code": GROUP}, {"product_id": two_suppliers["snack2"]["id"]}],
            "deadline": (utcnow() + timedelta(hours=2)).isoformat(),
            "minimum_quantity": 5,
            "delivery_address": "경기도 광명시 시청로 20",
            "delivery_sigungu_code": "41210",
            "needed_by": NEEDED_BY,
        },
        headers=keyed(buyer()),
    )
    assert opened.status_code == 201, opened.get_json()
    go = opened.get_json()
    assert [(i["group_code"], i["name"], i["unit"], i["unit_price"]) for i in go["items"]] == [
        (GROUP, "두부과자 선물세트", "세트", None),  # the price depends on routing
        (None, "호두과자 20개입", "봉", 12_000),
    ]
    code = go["share_code"]
    for name, contact, quantities in (
        ("김순자", "010-1234-5678", {1: 4}),
        ("이지수", "jisu@example.kr", {1: 3, 2: 1}),
        ("박민호", "010-5555-1234", {1: 2}),
    ):
        response = client.post(
            f"/v1/group-orders/by-code/{code}/participants",
            json={
                "name": name,
                "contact": contact,
                "quantities": [{"item_no": n, "quantity": q} for n, q in quantities.items()],
            },
        )
        assert response.status_code == 201, response.get_json()
    with orders_app.extensions["orders"].db.transaction() as session:
        session.execute(
            update(GroupOrder)
            .where(GroupOrder.id == go["id"])
            .values(deadline=utcnow() - timedelta(minutes=1))
        )
    with orders_app.app_context():
        assert closing.close_due(orders_app.extensions["orders"]) == 1

    view = client.get(f"/v1/group-orders/{go['id']}", headers=buyer()).get_json()
    assert view["status"] == "closed", view
    order = client.get(f"/v1/orders/{view['order_id']}", headers=buyer()).get_json()
    # 9 sets: 5 from 광명 (its week's capacity) at 3,333, 4 from 시흥 at 3,517
    prices = sorted(
        (ln["unit_price"], ln["quantity"])
        for so in order["supplier_orders"]
        for ln in so["lines"]
        if ln["order_line_no"] == 1
    )
    assert prices == [(3_333, 5), (3_517, 4)]
    assert len(order["supplier_orders"]) == 3

    people = view["participants"]
    for field in ("supply_amount", "vat_amount", "total_amount"):
        assert sum(p[field] for p in people) == order[field], field
    for so in order["supplier_orders"]:
        parts = [b for p in people for b in p["breakdown"] if b["supplier_order_id"] == so["id"]]
        assert sum(b["supply_amount"] for b in parts) == so["supply_amount"]
        assert sum(b["vat_amount"] for b in parts) == so["vat_amount"]
    by_name = {p["name"]: p for p in people}
    # 이지수 pays all of 호두과자 (12,000 + VAT 1,200) and 3/9 of each 선물세트 allocation
    assert by_name["이지수"]["supply_amount"] == 12_000 + 5_555 + 4_689
    # each share is within a won per allocation of its exact part of the group line
    group_supply = 5 * 3_333 + 4 * 3_517
    for name, quantity in (("김순자", 4), ("박민호", 2)):
        assert abs(by_name[name]["supply_amount"] - group_supply * quantity / 9) <= 2


def test_an_unknown_product_group_is_refused_at_opening(orders_app, snack_makers, buyer):
    response = orders_app.test_client().post(
        "/v1/group-orders",
        json={
            "title": "단체 구매",
            "items": [{"group_code": "NO-SUCH-GROUP"}],
            "deadline": (utcnow() + timedelta(hours=2)).isoformat(),
            "minimum_quantity": 5,
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": NEEDED_BY,
        },
        headers=keyed(buyer()),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["items"]["0"]["code"] == "group_not_found"
