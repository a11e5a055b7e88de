"""A year of purchases for 우선구매 tests, made through the real APIs: enterprises of four
types in catalog, an institution with two departments, orders taken through acceptance,
delivery and 검수 (one line partly rejected), one supplier order declined, one order
cancelled and one delivered but not inspected."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.support.builders import create_product, register_enterprise, register_institution

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()
INSPECTED = ("inspected", "invoiced", "paid")


def certify(client, admin, enterprise_id: str, *, valid_to: date | None = None) -> None:
    response = client.post(
        f"/v1/enterprises/{enterprise_id}/certifications",
        json={
            "kind": "social_enterprise",
            "number": f"2025-{enterprise_id[-4:]}",
            "issuer": "고용노동부",
            "valid_from": (date.today() - timedelta(days=400)).isoformat(),
            "valid_to": (valid_to or date.today() + timedelta(days=365)).isoformat(),
        },
        headers=admin,
    )
    assert response.status_code == 201, response.get_json()


def enterprises(catalog_client, admin) -> dict:
    """Four enterprises with one product each (prices chosen so VAT truncates)."""
    made = {}
    for key, name, kind, price, tax in (
        ("sun", "햇살 사회적기업", "social_enterprise", 3_333, "taxable"),
        ("share", "나눔 사회적협동조합", "social_cooperative", 65_000, "exempt"),
        ("tofu", "광명두부마을 협동조합", "cooperative", 4_501, "taxable"),
        ("self", "희망 자활기업", "self_reliance_enterprise", 7_707, "taxable"),
    ):
        enterprise = register_enterprise(catalog_client, admin, name=name, enterprise_type=kind)
        product = create_product(
            catalog_client,
            admin,
            enterprise["id"],
            name=f"{name} 선물세트",
            unit_price=price,
            tax_type=tax,
        )
        made[key] = {"enterprise": enterprise, "product": product}
    certify(catalog_client, admin, made["sun"]["enterprise"]["id"])
    return made


def place(client, headers, lines: list[tuple[dict, int]]) -> dict:
    response = client.post(
        "/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20 광명시청",
            "needed_by": NEEDED_BY,
            "lines": [{"product_id": p["product"]["id"], "quantity": q} for p, q in lines],
        },
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, so_id: str, action: str, headers: dict, **body) -> dict:
    response = client.post(f"/v1/supplier-orders/{so_id}/{action}", json=body, headers=headers)
    assert response.status_code == 200, (action, response.get_json())
    return response.get_json()


def deliver(client, so: dict, token) -> None:
    supplier = token("enterprise", so["enterprise_id"])
    act(client, so["id"], "accept", supplier)
    act(client, so["id"], "ship", supplier, carrier="CJ대한통운", tracking_number="1234-5678")
    act(client, so["id"], "deliver", supplier)


def a_year(orders_client, catalog_client, token) -> dict:
    """The purchases; returns the institution, enterprises and supplier orders by role."""
    admin = token("admin")
    made = enterprises(catalog_client, admin)
    institution = register_institution(orders_client, admin, departments=["총무과", "복지정책과"])
    iid = institution["id"]
    general = token("buyer", iid, dept="총무과")
    welfare = token("buyer", iid, dept="복지정책과")

    first = place(
        orders_client,
        general,
        [(made["sun"], 7), (made["share"], 3), (made["tofu"], 5)],
    )
    for so in first["supplier_orders"]:
        deliver(orders_client, so, token)
        if so["enterprise_id"] == made["sun"]["enterprise"]["id"]:
            act(
                orders_client,
                so["id"],
                "inspect",
                general,
                lines=[
                    {
                        "line_no": 1,
                        "accepted_quantity": 6,
                        "rejected_quantity": 1,
                        "reason": "포장 파손",
                    }
                ],
            )
        else:
            act(orders_client, so["id"], "inspect", general)

    second = place(orders_client, welfare, [(made["self"], 10), (made["tofu"], 4)])
    for so in second["supplier_orders"]:
        if so["enterprise_id"] == made["tofu"]["enterprise"]["id"]:
            act(
                orders_client,
                so["id"],
                "decline",
                token("enterprise", so["enterprise_id"]),
                reason="재고 없음",
            )
        else:
            deliver(orders_client, so, token)
            act(orders_client, so["id"], "inspect", welfare)
            act(orders_client, so["id"], "invoice", token("enterprise", so["enterprise_id"]))
            act(orders_client, so["id"], "pay", welfare)

    cancelled = place(orders_client, general, [(made["sun"], 3)])
    response = orders_client.post(
        f"/v1/orders/{cancelled['id']}/cancel", json={"reason": "예산 변경"}, headers=general
    )
    assert response.status_code == 200, response.get_json()

    waiting = place(orders_client, welfare, [(made["share"], 1)])
    deliver(orders_client, waiting["supplier_orders"][0], token)
    return {"institution": institution, "made": made, "general": general, "welfare": welfare}


def supplier_orders(client, headers) -> list[dict]:
    """Every supplier order the caller sees, through the public list (all pages)."""
    found, cursor = [], None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/supplier-orders", query_string=params, headers=headers).get_json()
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return found
