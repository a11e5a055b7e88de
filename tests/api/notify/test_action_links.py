"""Signed action links in supplier-order messages, against the real orders service.

Tests marked `needs_orders_actions` call orders' `POST /v1/supplier-orders/{id}/accept`
and `/decline` (contract: service token, `{"acting_for": ...}`); they fail until orders
has those endpoints."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from gachi_kit.events import utcnow
from notify.adapters.models import ActionLink
from tests.support.infra import free_port
from tests.support.notify_events import enterprise_registered
from tests.support.notify_receivers import deliveries


def links_of(app, created) -> dict:
    """The view / accept / decline links of the e-mail sent for a supplier order."""
    enterprise = created["data"]["enterprise_id"]
    (row,) = [
        r
        for r in deliveries(app, channel="email", event_id=created["id"])
        if r.recipient_id == enterprise
    ]
    text = row.payload["text"]
    found = {
        action: re.search(rf"{label}: (\S+)", text).group(1)
        for action, label in (("view", "주문 보기"), ("accept", "전체 수락"), ("decline", "거절"))
    }
    assert len(set(found.values())) == 3
    return {action: "/" + url.split("/", 3)[3] for action, url in found.items()}  # path only


def prepare(app, feed, created):
    feed(app, enterprise_registered(created["data"]["enterprise_id"], phone="010-1234-5678"))
    assert feed(app, created) == "done"
    return links_of(app, created)


def supplier_order_status(orders_app, token, created) -> str:
    response = orders_app.test_client().get(
        f"/v1/supplier-orders/{created['data']['supplier_order_id']}", headers=token("admin")
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["status"]


def html(response) -> str:
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_view_link_shows_the_order_read_only(notify_app, placed, feed):
    links = prepare(notify_app, feed, placed["tofu"])
    page = notify_app.test_client().get(links["view"])
    assert page.status_code == 200
    body = html(page)
    assert "광명두부마을 협동조합 공급 주문" in body and "두부과자 200g" in body
    assert "수락 대기" in body and "전체 수락" in body
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert notify_app.test_client().get(links["view"]).status_code == 200  # viewing is reusable


def test_opening_an_accept_link_only_asks_for_confirmation(
    notify_app, orders_app, placed, feed, token
):
    links = prepare(notify_app, feed, placed["tofu"])
    page = notify_app.test_client().get(links["accept"])  # what a mail scanner would do
    assert page.status_code == 200 and "전체 수락할까요?" in html(page)
    assert supplier_order_status(orders_app, token, placed["tofu"]) == "pending"


def test_a_tampered_link_gets_a_clear_page_and_no_action(notify_app, placed, feed):
    links = prepare(notify_app, feed, placed["tofu"])
    token = links["accept"].rsplit("/", 1)[1]
    forged = links["accept"][: -len(token)] + token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    for method in ("get", "post"):
        page = getattr(notify_app.test_client(), method)(forged)
        assert page.status_code == 400 and "링크가 올바르지 않습니다" in html(page)
    with notify_app.extensions["notify"].db.reading() as session:
        assert session.scalars(select(ActionLink.used_at)).all() == [None] * 3


def test_an_expired_link_gets_a_clear_page(notify_app, placed, feed):
    links = prepare(notify_app, feed, placed["tofu"])
    with notify_app.extensions["notify"].db.transaction() as session:
        session.execute(update(ActionLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    page = notify_app.test_client().post(links["accept"])
    assert page.status_code == 410 and "유효 기간이 지났습니다" in html(page)


def test_orders_unreachable_leaves_the_link_usable(make_app, placed, feed):
    app = make_app(ORDERS_URL=f"http://127.0.0.1:{free_port()}")
    links = prepare(app, feed, placed["tofu"])
    page = app.test_client().post(links["accept"])
    assert page.status_code == 503 and "잠시 후 다시" in html(page)
    with app.extensions["notify"].db.reading() as session:
        assert session.scalars(select(ActionLink.used_at)).all() == [None] * 3


# --- these call orders' accept/decline endpoints ---------------------------------------


def test_accept_link_accepts_in_orders_once_then_says_it_was_used(
    notify_app, orders_app, placed, feed, token
):
    links = prepare(notify_app, feed, placed["tofu"])
    client = notify_app.test_client()
    done = client.post(links["accept"])
    assert done.status_code == 200, html(done)
    assert "주문을 수락했습니다" in html(done)
    assert supplier_order_status(orders_app, token, placed["tofu"]) == "accepted"

    again = client.post(links["accept"])
    assert again.status_code == 409 and "이미 사용한 링크" in html(again)
    decline = client.post(links["decline"], data={"reason": "재고가 없습니다"})
    assert decline.status_code == 409  # spent with its sibling
    assert supplier_order_status(orders_app, token, placed["tofu"]) == "accepted"


def test_decline_link_needs_a_reason_then_declines(notify_app, orders_app, placed, feed, token):
    links = prepare(notify_app, feed, placed["kimchi"])
    client = notify_app.test_client()
    form = client.get(links["decline"])
    assert form.status_code == 200 and 'name="reason"' in html(form)
    empty = client.post(links["decline"], data={"reason": "  "})
    assert empty.status_code == 422 and "거절 사유" in html(empty)
    assert supplier_order_status(orders_app, token, placed["kimchi"]) == "pending"

    done = client.post(links["decline"], data={"reason": "이번 주 생산 물량이 모두 찼습니다"})
    assert done.status_code == 200, html(done)
    assert "주문을 거절했습니다" in html(done)
    assert supplier_order_status(orders_app, token, placed["kimchi"]) == "declined"


def test_a_link_for_an_order_no_longer_pending_shows_its_state(
    notify_app, orders_app, placed, feed, token
):
    links = prepare(notify_app, feed, placed["tofu"])
    accepted = orders_app.test_client().post(
        f"/v1/supplier-orders/{placed['tofu']['data']['supplier_order_id']}/accept",
        json={"acting_for": placed["tofu"]["data"]["enterprise_id"]},
        headers=token("service", sub="notify", aud=("orders",)),
    )
    assert accepted.status_code == 200, accepted.get_json()
    page = notify_app.test_client().post(links["decline"], data={"reason": "취소합니다"})
    assert page.status_code == 409 and "이미 처리된 주문입니다" in html(page)
    assert "수락" in html(page)
    assert supplier_order_status(orders_app, token, placed["tofu"]) == "accepted"


def test_the_email_links_the_order_page_in_the_portal_beside_the_signed_links(
    make_app, placed, feed
):
    app = make_app(WEB_PUBLIC_URL="https://포털.gachi.example/")
    links = prepare(app, feed, placed["tofu"])  # the signed links are still there
    so_id = placed["tofu"]["data"]["supplier_order_id"]
    enterprise = placed["tofu"]["data"]["enterprise_id"]
    for channel in ("email", "sms"):
        (row,) = [
            r
            for r in deliveries(app, channel=channel, event_id=placed["tofu"]["id"])
            if r.recipient_id == enterprise
        ]
        text = row.payload.get("text") or row.payload.get("body")
        portal = f"https://포털.gachi.example/enterprise/supplier-orders/{so_id}"
        assert portal in text, (channel, text)
    assert all("/links/" in path for path in links.values())
