"""Opening a group order (단체 구매) over HTTP, on the real database with the real catalog:
the priced items and the share code, refused openings, a catalog that is down, and opening
idempotently with one key."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from catalog.adapters.models import Product
from gachi_kit.events import utcnow
from orders.adapters.models import GroupOrder, OutboxMessage
from tests.support.builders import create_product, keyed
from tests.support.group_orders import count, events, open_body
from tests.support.infra import free_port

# --- opening ----------------------------------------------------------------------------


def test_opening_prices_the_items_and_gives_a_share_code(
    redis_client, orders_app, opened, two_suppliers
):
    p = two_suppliers
    code = opened["share_code"]
    assert len(code) == 8 and not set(code) & set("01OI")
    assert opened["status"] == "open" and opened["status_label"] == "모집 중"
    assert opened["accepting"] is True
    assert (opened["total_quantity"], opened["minimum_met"]) == (0, False)
    assert [(i["item_no"], i["name"], i["unit"], i["unit_price"]) for i in opened["items"]] == [
        (1, "두부과자 200g", "봉", 3333),
        (2, "포기김치 10kg", "박스", 65000),
        (3, "호두과자 20개입", "봉", 12000),
    ]
    assert opened["items"][0]["product_id"] == p["snack"]["id"]
    assert opened["participants"] == []
    assert (opened["organiser_id"], opened["department"]) == ("buyer-user", "총무과")

    (event,) = events(orders_app, "group_order.opened")
    assert event.data["share_code"] == code
    assert [i["name"] for i in event.data["items"]] == [
        "두부과자 200g",
        "포기김치 10kg",
        "호두과자 20개입",
    ]
    assert event.published_at is not None  # routed to notify
    queued = [json.loads(m) for m in redis_client.lrange("notify", 0, -1)]
    envelopes = [json.loads(base64.b64decode(m["body"]))[0][0] for m in queued]
    assert [e["type"] for e in envelopes if e["type"].startswith("group_order.")] == [
        "group_order.opened"
    ]


def test_a_product_with_a_minimum_order_quantity_can_be_offered(
    orders_app, two_suppliers, buyer, catalog_app, token
):
    """Its minimum applies to the summed quantity when the group order closes."""
    bulk = create_product(
        catalog_app.test_client(),
        token("admin"),
        two_suppliers["tofu"]["id"],
        name="두부 선물세트",
        unit="세트",
        min_order_qty=20,
    )
    response = orders_app.test_client().post(
        "/v1/group-orders",
        json=open_body(two_suppliers, items=[{"product_id": bulk["id"]}]),
        headers=keyed(buyer()),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["items"][0]["name"] == "두부 선물세트"


def test_bad_openings_are_refused_and_nothing_is_written(
    orders_app, two_suppliers, buyer, catalog_app, token
):
    p, client = two_suppliers, orders_app.test_client()
    admin = token("admin")
    draft = create_product(catalog_app.test_client(), admin, p["tofu"]["id"], status="draft")
    slow = create_product(catalog_app.test_client(), admin, p["tofu"]["id"], lead_time_days=30)
    gone = create_product(catalog_app.test_client(), admin, p["tofu"]["id"])
    with catalog_app.extensions["catalog"].db.transaction() as session:
        session.execute(
            update(Product).where(Product.id == gone["id"]).values(status="discontinued")
        )
    unknown = "01JUNKNOWNPRODUCT000000000"
    soon = (utcnow() + timedelta(hours=2)).isoformat()
    cases = [
        ({"items": [{"product_id": unknown}]}, "group_order_items_invalid", "product_not_found"),
        (
            {"items": [{"product_id": draft["id"]}]},
            "group_order_items_invalid",
            "product_unavailable",
        ),
        (
            {"items": [{"product_id": gone["id"]}]},
            "group_order_items_invalid",
            "product_unavailable",
        ),
        ({"items": [{"product_id": slow["id"]}]}, "group_order_items_invalid", "lead_time_not_met"),
        (
            {"deadline": (utcnow() - timedelta(minutes=1)).isoformat()},
            "validation_failed",
            "deadline",
        ),
        (
            {"deadline": soon, "needed_by": date.today().isoformat()},
            "validation_failed",
            "needed_by",
        ),
        (
            {"items": [{"product_id": p["snack"]["id"]}, {"product_id": p["snack"]["id"]}]},
            "validation_failed",
            "items",
        ),
        (
            {"items": [{"product_id": p["snack"]["id"], "group_code": "KIMCHI"}]},
            "validation_failed",
            "items",
        ),
        ({"items": []}, "validation_failed", "items"),
        ({"minimum_quantity": 0}, "validation_failed", "minimum_quantity"),
        ({"minimum_quantity": 5.5}, "validation_failed", "minimum_quantity"),
        ({"title": "   "}, "validation_failed", "title"),
        ({"status": "closed"}, "validation_failed", "status"),  # no mass assignment
        ({"share_code": "AAAAAAAA"}, "validation_failed", "share_code"),
    ]
    for overrides, code, where in cases:
        response = client.post(
            "/v1/group-orders", json=open_body(p, **overrides), headers=keyed(buyer())
        )
        assert response.status_code == 422, (overrides, response.get_json())
        problem = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert problem["code"] == code, problem
        if code == "group_order_items_invalid":
            assert problem["errors"]["items"]["0"]["code"] == where
        else:
            assert where in problem["errors"], problem
    assert count(orders_app, GroupOrder) == 0
    assert events(orders_app) == []


def test_only_registered_institutions_open_group_orders(orders_app, two_suppliers, token):
    response = orders_app.test_client().post(
        "/v1/group-orders",
        json=open_body(two_suppliers),
        headers=keyed(token("buyer", "01JNOTANINSTITUTION0000000", dept="총무과")),
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "unknown_institution"
    assert count(orders_app, GroupOrder) == 0


@pytest.mark.committed  # a second app reads the same database
def test_catalog_down_at_opening_is_503_and_nothing_is_written(
    orders_app, two_suppliers, buyer, service_config
):
    import orders as orders_service

    down = orders_service.create_app(
        {**service_config, "CATALOG_URL": f"http://127.0.0.1:{free_port()}"}
    )
    response = down.test_client().post(
        "/v1/group-orders", json=open_body(two_suppliers), headers=keyed(buyer())
    )
    assert response.status_code == 503
    assert response.get_json()["code"] == "catalog_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert count(orders_app, GroupOrder) == 0


# -- opening is idempotent ------------------------------------------------------------------


def test_opening_twice_with_one_key_opens_one_group_order(orders_app, two_suppliers, buyer):
    client = orders_app.test_client()
    headers = keyed(buyer(), "open-경로당-1")
    body = open_body(two_suppliers)  # once: it carries a deadline computed from now
    first = client.post("/v1/group-orders", json=body, headers=headers)
    again = client.post("/v1/group-orders", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.get_json() == first.get_json()
    assert first.headers["Location"] == f"/v1/group-orders/{first.get_json()['id']}"
    listed = client.get("/v1/group-orders", headers=buyer()).get_json()["items"]
    assert [g["id"] for g in listed] == [first.get_json()["id"]]
    with orders_app.extensions["orders"].db.reading() as session:
        opened = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.type == "group_order.opened")
        )
    assert opened == 1

    other_body = client.post(
        "/v1/group-orders", json=body | {"minimum_quantity": 20}, headers=headers
    )
    assert other_body.status_code == 422
    assert other_body.get_json()["code"] == "idempotency_key_reused"
    missing = client.post("/v1/group-orders", json=body, headers=buyer())
    assert missing.status_code == 400 and missing.get_json()["code"] == "idempotency_key_missing"


def test_a_refused_opening_releases_its_key(orders_app, two_suppliers, buyer):
    client = orders_app.test_client()
    headers = keyed(buyer(), "open-retry")
    past = (utcnow() - timedelta(hours=1)).isoformat()
    body = open_body(two_suppliers)
    refused = client.post("/v1/group-orders", json=body | {"deadline": past}, headers=headers)
    assert refused.status_code == 422
    # nothing was opened, so the key is free again (for the corrected request)
    assert client.post("/v1/group-orders", json=body, headers=headers).status_code == 201
