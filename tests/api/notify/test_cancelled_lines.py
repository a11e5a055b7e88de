"""Cancelled order lines through notify, from a real order in orders and its real events:
the enterprise hears which of its lines were cancelled and the new total (inbox, e-mail,
SMS), the buyer's institution which of its order lines it cancelled."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.support.notify_events import enterprise_registered
from tests.support.notify_messages import mails_to, plain, texts
from tests.support.notify_receivers import deliveries, send_all


@pytest.fixture
def cancelled_line(orders_app, catalog_app, notify_app, token):
    """A real order (두부과자 and 호두과자 from one enterprise, 포기김치 from another) in
    orders; the buyer cancels 두부과자. Returns orders' events as its outbox holds them."""
    from orders.adapters.models import OutboxMessage
    from tests.support.builders import create_product, register_enterprise, register_institution

    client, admin = catalog_app.test_client(), token("admin")
    tofu = register_enterprise(client, admin, name="광명두부마을 협동조합")
    kimchi = register_enterprise(
        client, admin, name="완주 김치 마을기업", enterprise_type="village_enterprise"
    )
    snack = create_product(client, admin, tofu["id"], name="두부과자 200g", unit_price=3333)
    walnut = create_product(
        client, admin, tofu["id"], name="호두과자 20개입", unit_price=12000, unit="상자"
    )
    kimchi10 = create_product(
        client, admin, kimchi["id"], name="포기김치 10kg", unit_price=65000, tax_type="exempt"
    )
    institution = register_institution(orders_app.test_client(), admin)
    buyer = token("buyer", institution["id"], dept="총무과")
    placed = orders_app.test_client().post(
        "/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": (date.today() + timedelta(days=10)).isoformat(),
            "lines": [
                {"product_id": snack["id"], "quantity": 7},
                {"product_id": walnut["id"], "quantity": 2},
                {"product_id": kimchi10["id"], "quantity": 1},
            ],
        },
        headers={**buyer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    cancelled = orders_app.test_client().post(
        f"/v1/orders/{order['id']}/cancel",
        json={"reason": "두부과자는 다른 예산으로 구매", "line_nos": [1]},
        headers=buyer,
    )
    assert cancelled.status_code == 200, cancelled.get_json()
    with orders_app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    events = {}
    for row in rows:
        if row.type == "supplier_order.created" and row.data["enterprise_id"] != tofu["id"]:
            continue
        events[row.type] = row.envelope().to_dict()
    return {"enterprise_id": tofu["id"], "institution_id": institution["id"], **events}


def test_the_enterprise_hears_its_lines_were_cancelled_with_the_new_total(
    gapp, smtp, sms_provider, feed, token, cancelled_line
):
    app = gapp
    enterprise = cancelled_line["enterprise_id"]
    feed(app, enterprise_registered(enterprise, phone="010-2680-2114", email="tofu@example.kr"))
    feed(app, cancelled_line["supplier_order.created"])
    event = cancelled_line["supplier_order.lines_cancelled"]
    assert (event["data"]["reason"], event["data"]["total_amount"]) == (
        "두부과자는 다른 예산으로 구매",
        26_400,  # 호두과자 2상자 × 12,000원 + 부가세
    )
    assert feed(app, event) == "done"
    send_all(app)

    rows = deliveries(app, event_id=event["id"])
    assert sorted((r.channel, r.status) for r in rows) == [
        ("email", "sent"),
        ("inbox", "sent"),
        ("sms", "sent"),  # in the enterprise's default SMS set, like a cancellation
    ]
    so_id = event["data"]["supplier_order_id"]
    title = "[품목 취소] 두부과자 200g 취소 · 변경 합계 26,400원"  # orders flags each line
    inbox = app.test_client().get("/v1/inbox", headers=token("enterprise", enterprise)).json
    assert [i["title"] for i in inbox["items"] if i["event_type"].endswith("lines_cancelled")] == [
        title
    ]
    (mail,) = [m for m in mails_to(smtp, "tofu@example.kr") if str(m["Subject"]) == title]
    text = plain(mail)
    assert "취소 사유: 두부과자는 다른 예산으로 구매" in text
    assert "변경된 금액: 공급가액 24,000원 / 부가세 2,400원 / 합계 26,400원" in text
    enterprise_name = event["data"]["enterprise_name"]
    assert f"공급 주문 {enterprise_name}의 " in text and "의 일부 품목을 취소했습니다" in text
    assert so_id not in text
    (sms,) = [body for to, body, _ in texts(sms_provider) if "취소" in body]
    assert sms.endswith("변경 합계 26,400원.")

    assert "취소된 품목\n- 두부과자 200g 7봉" in text
    assert "남은 품목\n- 호두과자 20개입 2상자" in text
    assert sms == "[같이] 주문 품목 취소: 두부과자 200g. 변경 합계 26,400원."


def test_the_institution_hears_which_of_its_order_lines_were_cancelled(
    gapp, feed, token, cancelled_line
):
    app = gapp
    event = cancelled_line["order.lines_cancelled"]
    assert feed(app, event) == "done"
    inbox = (
        app.test_client()
        .get("/v1/inbox", headers=token("buyer", cancelled_line["institution_id"]))
        .json["items"]
    )
    (item,) = inbox
    assert item["title"].startswith("[품목 취소] ")
    assert item["title"].endswith(" 주문(91,400원)의 품목 1개를 취소했습니다")
    assert event["data"]["order_id"] not in item["title"] + item["body"]
    assert "취소한 품목 번호: 1\n취소 사유: 두부과자는 다른 예산으로 구매" in item["body"]
    assert "합계 91,400원" in item["body"]  # 26,400 + 65,000 (면세)
