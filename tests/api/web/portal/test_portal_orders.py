"""A purchase officer's orders: the list and its filters, one order's page, cancelling and
검수 (inspection) of a delivered supplier order."""

from __future__ import annotations

import re

import requests

from gachi_kit.dates import today_kst
from tests.support.portal import DEPARTMENT, GWANGMYEONG_CITY, order_sheet_form, post_form


def text(response) -> str:
    return response.get_data(as_text=True)


def placed_order(buyer, group="KIMCHI-POGI-10KG", quantity=6) -> str:
    post_form(
        buyer, "/order-sheet", "/order-sheet/lines", {"group_code": group, "quantity": quantity}
    )
    data = order_sheet_form(text(buyer.get("/order-sheet")))
    response = buyer.post("/order-sheet/place", data=data)
    assert response.status_code == 302, text(response)
    return response.headers["Location"].split("/orders/")[1].split("?")[0]


def api(portal, method, path, headers, **kwargs):
    response = requests.request(
        method, portal.urls["orders"] + path, headers=headers, timeout=10, **kwargs
    )
    assert response.status_code < 300, response.text
    return response.json()


def deliver(portal, order_id) -> dict:
    """The enterprise accepts, ships and delivers its supplier order (outside the portal)."""
    buyer = portal.bearer("buyer", GWANGMYEONG_CITY, DEPARTMENT)
    supplier_order = api(portal, "GET", f"/v1/orders/{order_id}", buyer)["supplier_orders"][0]
    operator = portal.bearer("enterprise", supplier_order["enterprise_id"])
    so = f"/v1/supplier-orders/{supplier_order['id']}"
    api(portal, "POST", f"{so}/accept", operator, json={})
    api(
        portal,
        "POST",
        f"{so}/ship",
        operator,
        json={"carrier": "우체국택배", "tracking_number": "6891234567"},
    )
    api(portal, "POST", f"{so}/deliver", operator, json={})
    return supplier_order


def test_the_order_list_and_its_filters(buyer):
    order_id = placed_order(buyer)
    html = text(buyer.get("/orders"))
    assert f"/orders/{order_id}" in html and "진행 중" in html and "총무과" in html
    cancelled = text(buyer.get("/orders", query_string={"status": "cancelled"}))
    assert f"/orders/{order_id}" not in cancelled
    today = today_kst().isoformat()
    in_period = text(
        buyer.get("/orders", query_string={"from": today, "to": today, "department": "총무과"})
    )
    assert f"/orders/{order_id}" in in_period
    other = text(buyer.get("/orders", query_string={"department": "회계과"}))
    assert f"/orders/{order_id}" not in other


def test_a_bad_period_is_explained_next_to_its_field(buyer):
    response = buyer.get("/orders", query_string={"from": "2026-12-31", "to": "2026-01-01"})
    html = text(response)
    assert 'id="f-to-error"' in html and "끝 날짜는 시작 날짜와 같거나 뒤여야 합니다." in html
    wrong = text(buyer.get("/orders", query_string={"from": "어제"}))
    assert 'id="f-from-error"' in wrong


def test_the_order_page_shows_timeline_routing_and_amounts(buyer):
    order_id = placed_order(buyer)
    html = text(buyer.get(f"/orders/{order_id}"))
    assert 'aria-current="step"' in html and "수락 대기" in html
    assert "공급 기업을 정한 이유" in html and "순위" in html
    assert "지역 우선" in html or "고른 배분" in html or "최저가" in html
    assert re.search(r"[\d,]+원", html)


def test_cancel_needs_a_reason_then_cancels_chosen_lines(buyer, portal):
    order_id = placed_order(buyer)
    page = f"/orders/{order_id}"
    refused = post_form(buyer, page, f"{page}/cancel", {"scope": "all", "reason": ""})
    assert refused.status_code == 422
    assert "취소 사유를 입력해 주세요." in text(refused)
    no_lines = post_form(buyer, page, f"{page}/cancel", {"scope": "lines", "reason": "예산 변경"})
    assert "취소할 품목을 하나 이상 고르세요." in text(no_lines)
    done = post_form(
        buyer, page, f"{page}/cancel", {"scope": "lines", "line_nos": "1", "reason": "예산 변경"}
    )
    assert done.status_code == 302
    html = text(buyer.get(page))
    assert "취소했습니다" in html and "취소" in html
    order = api(
        portal,
        "GET",
        f"/v1/orders/{order_id}",
        portal.bearer("buyer", GWANGMYEONG_CITY, DEPARTMENT),
    )
    assert order["lines"][0]["cancelled_quantity"] == order["lines"][0]["quantity"]


def test_inspection_of_a_delivered_supplier_order(buyer, portal):
    order_id = placed_order(buyer, quantity=5)
    supplier_order = deliver(portal, order_id)
    page = f"/orders/{order_id}"
    html = text(buyer.get(page))
    assert "검수 완료</button>" in html and "납품 완료" in html
    action = f"{page}/supplier-orders/{supplier_order['id']}/inspect"
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    line_no = re.search(r'name="line_no" value="(\d+)"', html).group(1)
    base = {"version": version, "line_no": line_no}
    missing_reason = post_form(
        buyer,
        page,
        action,
        base | {"lines.0.accepted_quantity": "4", "lines.0.rejected_quantity": "1"},
    )
    assert missing_reason.status_code == 422
    assert "불합격 수량이 있으면 사유를 적어 주세요." in text(missing_reason)
    too_many = post_form(
        buyer,
        page,
        action,
        base | {"lines.0.accepted_quantity": "9", "lines.0.rejected_quantity": "0"},
    )
    assert too_many.status_code == 422
    assert "form-hint-invalid" in text(too_many)
    done = post_form(
        buyer,
        page,
        action,
        base
        | {
            "lines.0.accepted_quantity": "4",
            "lines.0.rejected_quantity": "1",
            "lines.0.reason": "포장 파손",
        },
    )
    assert done.status_code == 302
    html = text(buyer.get(page))
    assert "검수 결과를 기록했습니다" in html and "검수 완료" in html
    assert "4 / 1" in html and "포장 파손" in html


def test_after_shipping_cancel_is_no_longer_offered_and_is_refused_with_the_reason(buyer, portal):
    order_id = placed_order(buyer, quantity=3)
    deliver(portal, order_id)
    page = f"/orders/{order_id}"
    assert "주문 취소" not in text(buyer.get(page))
    refused = post_form(buyer, page, f"{page}/cancel", {"scope": "all", "reason": "예산 변경"})
    assert refused.status_code == 422
    html = text(refused)
    assert 'role="alert"' in html and "form-hint-invalid" in html
