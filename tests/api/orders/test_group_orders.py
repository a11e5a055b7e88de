"""Group orders (단체 구매) over HTTP, on the real database with the real catalog: opening,
joining with the share code, changing and withdrawing with the participant's secret, the
public view, closing at the deadline (and early), cancellation, failure, and the race."""

from __future__ import annotations

import base64
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from catalog.adapters.models import Product
from gachi_kit.events import utcnow
from orders.adapters.models import (
    GroupOrder,
    GroupOrderParticipant,
    Order,
    OutboxMessage,
    SupplierOrder,
)
from orders.services.group_orders import access, closing
from tests.support.builders import create_product, keyed
from tests.support.infra import free_port

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()
KIM = ("김순자", "010-1234-5678")
LEE = ("이지수", "jisu.lee@example.kr")
PARK = ("박민호", "02-123-4567")


def open_body(p, **overrides):
    body = {
        "title": "광명종합사회복지관 김장 나눔 단체 구매",
        "items": [
            {"product_id": p["snack"]["id"]},  # 1: 두부과자 200g 3,333원 과세
            {"product_id": p["kimchi10"]["id"]},  # 2: 포기김치 10kg 65,000원 면세
            {"product_id": p["snack2"]["id"]},  # 3: 호두과자 20개입 12,000원 과세
        ],
        "deadline": (utcnow() + timedelta(hours=2)).isoformat(),
        "minimum_quantity": 10,
        "delivery_address": "경기도 광명시 오리로 613 광명종합사회복지관",
        "delivery_sigungu_code": "41210",
        "needed_by": NEEDED_BY,
        "memo": "복지관 1층 로비로 배송해 주세요",
    }
    return body | overrides


@pytest.fixture
def opened(orders_app, two_suppliers, buyer):
    response = orders_app.test_client().post(
        "/v1/group-orders", json=open_body(two_suppliers), headers=keyed(buyer())
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def join(client, code, who, quantities):
    name, contact = who
    return client.post(
        f"/v1/group-orders/by-code/{code}/participants",
        json={
            "name": name,
            "contact": contact,
            "quantities": [{"item_no": n, "quantity": q} for n, q in quantities.items()],
        },
    )


def joined(client, code, who, quantities):
    response = join(client, code, who, quantities)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def mine(participant):
    return {"X-Participant-Secret": participant["secret"]}


def participant_url(code, participant):
    return f"/v1/group-orders/by-code/{code}/participants/{participant['id']}"


def put(client, code, participant, quantities, headers=None):
    return client.put(
        participant_url(code, participant),
        json={"quantities": [{"item_no": n, "quantity": q} for n, q in quantities.items()]},
        headers=mine(participant) if headers is None else headers,
    )


def pass_deadline(app, group_order_id):
    with app.extensions["orders"].db.transaction() as session:
        session.execute(
            update(GroupOrder)
            .where(GroupOrder.id == group_order_id)
            .values(deadline=utcnow() - timedelta(minutes=1))
        )


def close_due(app):
    with app.app_context():
        return closing.close_due(app.extensions["orders"])


def events(app, *types):
    with app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if not types or r.type in types]


def count(app, model):
    with app.extensions["orders"].db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def organiser_view(client, go, headers):
    response = client.get(f"/v1/group-orders/{go['id']}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


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


# --- participants -----------------------------------------------------------------------


def test_participants_join_change_and_withdraw_with_their_secret(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    kim = joined(client, code, KIM, {1: 3, 2: 1})
    assert kim["secret"] and kim["status"] == "active"
    assert kim["contact"] == "010-1234-5678" and kim["contact_kind"] == "phone"
    assert [(q["name"], q["quantity"]) for q in kim["quantities"]] == [
        ("두부과자 200g", 3),
        ("포기김치 10kg", 1),
    ]
    assert kim["group_order"]["total_quantity"] == 4
    lee = joined(client, code, ("이지수", "Jisu.Lee@EXAMPLE.kr"), {1: 4, 3: 2, 2: 0})
    assert lee["contact"] == "Jisu.Lee@example.kr" and lee["contact_kind"] == "email"
    assert lee["group_order"]["total_quantity"] == 10
    assert lee["group_order"]["participant_count"] == 2
    assert lee["secret"] != kim["secret"]

    # change: a full replacement of one's quantities
    changed = put(client, code, kim, {1: 5})
    assert changed.status_code == 200, changed.get_json()
    assert [(q["item_no"], q["quantity"]) for q in changed.get_json()["quantities"]] == [(1, 5)]
    assert "secret" not in changed.get_json()
    public = client.get(f"/v1/group-orders/by-code/{code}").get_json()
    assert [i["total_quantity"] for i in public["items"]] == [9, 0, 2]
    assert (public["total_quantity"], public["minimum_met"]) == (11, True)

    # only with one's own secret
    refused = [
        (put(client, code, kim, {1: 1}, headers={}), "participant_secret_missing"),
        (put(client, code, kim, {1: 1}, headers=mine(lee)), "participant_secret_invalid"),
        (
            put(client, code, kim, {1: 1}, headers={"X-Participant-Secret": "guess"}),
            "participant_secret_invalid",
        ),
        (client.get(participant_url(code, kim)), "participant_secret_missing"),
        (
            client.delete(participant_url(code, kim), headers=mine(lee)),
            "participant_secret_invalid",
        ),
        (
            client.get(
                participant_url(code, {"id": "01JNOSUCHPARTICIPANT000000"}), headers=mine(kim)
            ),
            "participant_secret_invalid",
        ),
    ]
    for response, problem_code in refused:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["code"] == problem_code
    own = client.get(participant_url(code, kim), headers=mine(kim))
    assert own.status_code == 200 and own.get_json()["quantities"][0]["quantity"] == 5

    # withdraw
    gone = client.delete(participant_url(code, lee), headers=mine(lee))
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    assert gone.get_json()["group_order"]["total_quantity"] == 5
    assert gone.get_json()["group_order"]["participant_count"] == 1
    for again in (
        put(client, code, lee, {1: 1}),
        client.delete(participant_url(code, lee), headers=mine(lee)),
    ):
        assert again.status_code == 409
        assert again.get_json()["code"] == "participant_withdrawn"
        assert again.get_json()["current_state"] == "withdrawn"

    # the secret is stored only as a hash
    with orders_app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(GroupOrderParticipant)).all()
    stored = json.dumps([[str(getattr(r, c.key)) for c in r.__table__.columns] for r in rows])
    assert kim["secret"] not in stored and lee["secret"] not in stored
    assert events(orders_app, "group_order.opened") and len(events(orders_app)) == 1


def test_bad_entries_are_refused_and_nothing_is_written(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    cases = [
        (("김순자", "010-12"), {1: 1}, "contact"),
        (("김순자", "kim@"), {1: 1}, "contact"),
        (("", "010-1234-5678"), {1: 1}, "name"),
        (("  ", "010-1234-5678"), {1: 1}, "name"),
        (KIM, {9: 1}, "quantities"),
        (KIM, {1: 0, 2: 0}, "quantities"),
        (KIM, {1: -1}, "quantities"),
        (KIM, {1: 10_000_001}, "quantities"),
        (KIM, {}, "quantities"),
    ]
    for who, quantities, field in cases:
        response = join(client, code, who, quantities)
        assert response.status_code == 422, (who, quantities, response.get_json())
        assert field in response.get_json()["errors"], response.get_json()
    extra = client.post(
        f"/v1/group-orders/by-code/{code}/participants",
        json={
            "name": "김순자",
            "contact": "010-1234-5678",
            "quantities": [{"item_no": 1, "quantity": 1}],
            "status": "withdrawn",
        },
    )
    assert extra.status_code == 422 and "status" in extra.get_json()["errors"]
    for unknown in ("ZZZZ2222", "abc", "01234567"):
        missing = join(client, unknown, KIM, {1: 1})
        assert missing.status_code == 404 and missing.get_json()["code"] == "group_order_not_found"
        assert client.get(f"/v1/group-orders/by-code/{unknown}").status_code == 404
    assert count(orders_app, GroupOrderParticipant) == 0


def test_an_item_total_cannot_exceed_what_one_order_line_carries(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 6_000_000})
    response = join(client, code, LEE, {1: 4_000_001})
    assert response.status_code == 422
    assert count(orders_app, GroupOrderParticipant) == 1


def test_the_public_view_never_shows_who_joined(orders_app, opened, token):
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 3})
    joined(client, code, LEE, {2: 2})
    typed = f"{code[:4].lower()}-{code[4:].lower()}"  # as a person might type it
    for headers in ({}, token("enterprise", "x")):
        response = client.get(f"/v1/group-orders/by-code/{typed}", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        text = response.get_data(as_text=True)
        for secret_word in (*KIM, *LEE, "jisu", "010", "participants", "secret", "organiser"):
            assert secret_word not in text, secret_word
        assert set(body) == {
            "share_code",
            "title",
            "status",
            "status_label",
            "deadline",
            "accepting",
            "minimum_quantity",
            "total_quantity",
            "minimum_met",
            "participant_count",
            "needed_by",
            "delivery_address",
            "brand_code",
            "memo",
            "items",
        }
        assert (body["total_quantity"], body["participant_count"]) == (5, 2)
    # the organiser sees everyone
    view = organiser_view(client, opened, token("buyer", opened["institution_id"], dept="총무과"))
    assert [(p["name"], p["contact"]) for p in view["participants"]] == [KIM, LEE]


def test_after_the_deadline_no_one_joins_changes_or_withdraws(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    kim = joined(client, code, KIM, {1: 3})
    pass_deadline(orders_app, opened["id"])
    for response in (
        join(client, code, LEE, {1: 1}),
        put(client, code, kim, {1: 9}),
        client.delete(participant_url(code, kim), headers=mine(kim)),
    ):
        assert response.status_code == 409, response.get_json()
        problem = response.get_json()
        assert problem["code"] == "group_order_not_accepting"
        assert problem["title"] == "참여 마감 시간이 지났습니다"
        assert problem["current_state"] == "open"
    public = client.get(f"/v1/group-orders/by-code/{code}").get_json()
    assert (public["accepting"], public["total_quantity"]) == (False, 3)


# --- closing ----------------------------------------------------------------------------


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
