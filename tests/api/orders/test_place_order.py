import base64
import hashlib
import hmac
import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from orders.adapters.models import (
    IdempotencyRecord,
    Order,
    OrderLine,
    OutboxMessage,
    SupplierOrder,
    SupplierOrderLine,
)
from tests.support.builders import register_institution
from tests.support.queued import events_in, task_and_args

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


def hs256_token(claims, key):
    """Hand-made tokens PyJWT refuses to make: HS256 with an RSA public key, or alg none."""

    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = {"alg": "HS256" if key else "none", "typ": "JWT"}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if key is None:
        return signing_input + "."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def order_body(p, **overrides):
    body = {
        "delivery_address": "경기도 광명시 시청로 20 광명시청 총무과",
        "delivery_sigungu_code": "41210",
        "needed_by": NEEDED_BY,
        "memo": "납품 전 연락 바랍니다",
        "lines": [
            {"product_id": p["snack"]["id"], "quantity": 7},
            {"product_id": p["kimchi10"]["id"], "quantity": 3},
            {"product_id": p["snack2"]["id"], "quantity": 2},
        ],
    }
    return body | overrides


def place(client, headers, body, key=None):
    return client.post(
        "/v1/orders", json=body, headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())}
    )


def counts(app):
    with app.extensions["orders"].db.reading() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Order, SupplierOrder, SupplierOrderLine, OutboxMessage, IdempotencyRecord)
        }


def test_order_is_priced_split_per_enterprise_and_totals_follow_the_money_rules(
    orders_app, two_suppliers, buyer, redis_client
):
    p = two_suppliers
    response = place(orders_app.test_client(), buyer(), order_body(p))

    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert response.headers["Location"] == f"/v1/orders/{order['id']}"
    by_enterprise = {so["enterprise_id"]: so for so in order["supplier_orders"]}
    assert set(by_enterprise) == {p["tofu"]["id"], p["kimchi"]["id"]}

    tofu = by_enterprise[p["tofu"]["id"]]
    # 7 × 3,333 + 2 × 12,000 = 47,331; VAT = floor(4,733.1) = 4,733
    assert (tofu["supply_amount"], tofu["vat_amount"], tofu["total_amount"]) == (47331, 4733, 52064)
    assert [line["name"] for line in tofu["lines"]] == ["두부과자 200g", "호두과자 20개입"]
    kimchi = by_enterprise[p["kimchi"]["id"]]
    # 면세: no VAT
    assert (kimchi["supply_amount"], kimchi["vat_amount"], kimchi["total_amount"]) == (
        195000,
        0,
        195000,
    )
    assert order["total_amount"] == 52064 + 195000
    assert order["supply_amount"] + order["vat_amount"] == order["total_amount"]
    assert all(so["status"] == "pending" for so in order["supplier_orders"])

    with orders_app.extensions["orders"].db.reading() as session:
        events = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [e.type for e in events] == [
            "order.placed",
            "supplier_order.created",
            "supplier_order.created",
        ]
        # published right after commit to notify's queue on the real Redis
        assert all(e.published_at is not None for e in events)
    # the three events of that one commit: one message to notify, in the order recorded
    (message,) = redis_client.lrange("notify", 0, -1)
    assert task_and_args(message)[0] == "notify.handle_events"
    assert [e["id"] for e in events_in(message)] == [e.id for e in events]


def test_snapshot_keeps_price_and_enterprise_type_at_placement(
    orders_app, two_suppliers, buyer, token
):
    p = two_suppliers
    order = place(orders_app.test_client(), buyer(), order_body(p)).get_json()
    with orders_app.extensions["orders"].db.reading() as session:
        line = session.scalar(
            select(SupplierOrderLine)
            .join(OrderLine)
            .where(OrderLine.order_id == order["id"], OrderLine.line_no == 2)
        )
    assert (line.name, line.unit_price, line.tax_type, line.enterprise_type) == (
        "포기김치 10kg",
        65000,
        "exempt",
        "village_enterprise",
    )


def test_idempotency_key_replays_refuses_changed_body_and_is_scoped_per_caller(
    orders_app, two_suppliers, buyer, token
):
    client, p, key = orders_app.test_client(), two_suppliers, "order-2026-11-25-001"
    first = place(client, buyer(), order_body(p), key)
    again = place(client, buyer(), order_body(p), key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert counts(orders_app)["purchase_order"] == 1

    changed = place(client, buyer(), order_body(p, memo="수량 변경"), key)
    assert changed.status_code == 422
    assert changed.get_json()["code"] == "idempotency_key_reused"

    siheung = register_institution(
        client, token("admin"), name="시흥시청", sigungu_code="41390", departments=["총무과"]
    )
    other_institution = token("buyer", siheung["id"], dept="총무과")
    theirs = place(client, other_institution, order_body(p), key)
    assert theirs.status_code == 201
    assert theirs.get_json()["id"] != first.get_json()["id"]
    assert counts(orders_app)["purchase_order"] == 2


def test_same_key_while_first_request_is_in_flight_is_409(
    orders_app, two_suppliers, buyer, institution
):
    from orders.services import idempotency

    body = order_body(two_suppliers)
    claim = idempotency.Claim(
        scope=f"{institution['id']}/buyer-user",
        key="k-inflight",
        request_hash=idempotency.fingerprint(body),
    )
    with orders_app.app_context():
        assert idempotency.claim(orders_app.extensions["orders"], claim) is None  # first holds it
    response = place(orders_app.test_client(), buyer(), body, "k-inflight")
    assert response.status_code == 409
    assert response.get_json()["code"] == "idempotency_request_in_flight"
    assert response.headers["Retry-After"] == "1"
    assert counts(orders_app)["purchase_order"] == 0


def test_missing_idempotency_key_is_400(orders_app, two_suppliers, buyer, token):
    response = orders_app.test_client().post(
        "/v1/orders", json=order_body(two_suppliers), headers=buyer()
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "idempotency_key_missing"


def test_bad_lines_are_422_per_line_and_nothing_is_written(orders_app, two_suppliers, buyer, token):
    p, client = two_suppliers, orders_app.test_client()
    cases = [
        ([{"product_id": "01JUNKNOWNPRODUCT000000000", "quantity": 1}], "order_lines_invalid"),
        ([{"product_id": p["snack"]["id"], "quantity": 0}], "validation_failed"),
        ([{"product_id": p["snack"]["id"], "quantity": -5}], "validation_failed"),
        ([{"product_id": p["snack"]["id"], "quantity": 1.5}], "validation_failed"),
        ([{"product_id": p["snack"]["id"], "quantity": 1, "unit_price": 1}], "validation_failed"),
        ([], "validation_failed"),
    ]
    for lines, code in cases:
        response = place(client, buyer(), order_body(p, lines=lines))
        assert response.status_code == 422, lines
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["code"] == code, response.get_json()
    unknown = place(
        client,
        buyer(),
        order_body(
            p,
            lines=[
                {"product_id": p["snack"]["id"], "quantity": 1},
                {"product_id": "01JUNKNOWNPRODUCT000000000", "quantity": 1},
            ],
        ),
    ).get_json()
    assert list(unknown["errors"]["lines"]) == ["1"]
    assert unknown["errors"]["lines"]["1"]["code"] == "product_not_found"
    assert counts(orders_app) == {k: 0 for k in counts(orders_app)}


def test_needed_by_in_the_past_is_422(orders_app, two_suppliers, buyer, token):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = place(
        orders_app.test_client(), buyer(), order_body(two_suppliers, needed_by=yesterday)
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "needed_by_in_past"
    assert "needed_by" in response.get_json()["errors"]


@pytest.mark.committed  # a second app reads the same database
def test_catalog_down_is_503_with_retry_after_and_nothing_written(
    _orders_app, orders_app, two_suppliers, buyer, service_config
):
    import orders as orders_service
    from tests.support.infra import free_port

    down = orders_service.create_app(
        {**service_config, "CATALOG_URL": f"http://127.0.0.1:{free_port()}"}
    )
    response = place(down.test_client(), buyer(), order_body(two_suppliers))
    assert response.status_code == 503
    assert response.get_json()["code"] == "catalog_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert counts(orders_app) == {k: 0 for k in counts(orders_app)}


def test_tokens_are_checked_before_anything_else(
    orders_app, two_suppliers, institution, token, jwt_keys
):
    client, body = orders_app.test_client(), order_body(two_suppliers)
    expired = token("buyer", institution["id"], dept="총무과", ttl=timedelta(seconds=-5))
    wrong_aud = token("buyer", institution["id"], dept="총무과", aud=("catalog",))
    forged = hs256_token(  # HS256 keyed with our public key: the classic alg confusion
        {"sub": "x", "role": "admin", "iss": "gachi", "aud": "orders", "exp": 9999999999},
        jwt_keys[1].encode(),
    )
    unsigned = hs256_token(
        {"sub": "x", "role": "admin", "iss": "gachi", "aud": "orders", "exp": 9999999999}, None
    )
    cases = [
        (expired, "token_expired"),
        (wrong_aud, "token_wrong_audience"),
        ({"Authorization": f"Bearer {forged}"}, "token_invalid"),
        ({"Authorization": f"Bearer {unsigned}"}, "token_invalid"),
        ({"Authorization": "Bearer not.a.jwt"}, "token_invalid"),
        ({}, "token_missing"),
    ]
    for headers, code in cases:
        response = place(client, headers, body)
        assert response.status_code == 401, code
        assert response.get_json()["code"] == code
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert counts(orders_app)["purchase_order"] == 0


def test_text_no_database_can_store_is_400_and_nothing_is_written(
    orders_app, two_suppliers, buyer, token
):
    body = json.dumps(order_body(two_suppliers)).replace('"memo": "', '"memo": "\\ud800', 1)
    response = orders_app.test_client().post(
        "/v1/orders",
        data=body,
        headers={
            **buyer(),
            "Idempotency-Key": "k-surrogate",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_text"
    assert counts(orders_app) == {k: 0 for k in counts(orders_app)}


@pytest.mark.parametrize("character", ["\u0000", "\u0007", "\u001b", "\u007f"])
def test_control_characters_are_a_korean_field_error_and_nothing_is_written(
    orders_app, two_suppliers, buyer, character
):
    body = order_body(two_suppliers, delivery_address=f"광명시청{character}총무과")
    body["lines"][0]["sku"] = f"GM{character}"
    response = place(orders_app.test_client(), buyer(), body, key=f"k-ctl-{ord(character)}")

    assert response.status_code == 400
    problem = response.get_json()
    assert problem["code"] == "invalid_text"
    assert set(problem["errors"]) == {"delivery_address", "lines.0.sku"}
    assert "제어 문자" in problem["errors"]["delivery_address"][0]
    assert counts(orders_app) == {k: 0 for k in counts(orders_app)}


def test_tabs_and_newlines_are_still_text(orders_app, two_suppliers, buyer):
    body = order_body(two_suppliers, memo="1층 정문\n경비실에\t맡겨 주세요\r\n감사합니다")
    response = place(orders_app.test_client(), buyer(), body, key="k-newlines")
    assert response.status_code == 201, response.get_json()


def test_field_errors_read_in_korean(orders_app, two_suppliers, buyer):
    body = order_body(two_suppliers, unexpected="값")
    body["lines"][0]["quantity"] = 0
    del body["delivery_address"]
    response = place(orders_app.test_client(), buyer(), body, key="k-korean")

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["unexpected"] == ["알 수 없는 항목입니다."]
    assert errors["delivery_address"] == ["필수 항목입니다."]
    assert errors["lines"]["0"]["quantity"] == ["1 이상 10000000 이하여야 합니다."]
