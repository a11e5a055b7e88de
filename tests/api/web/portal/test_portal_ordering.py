"""The 주문서: lines from search results and product groups, quantities, delivery, placing
once (the form's own Idempotency-Key), and the API's messages next to the right field."""

from __future__ import annotations

import re

import requests

from tests.support.portal import DEPARTMENT, GWANGMYEONG_CITY, order_sheet_form, post_form

KIMCHI_GROUP = "KIMCHI-POGI-10KG"


def text(response) -> str:
    return response.get_data(as_text=True)


def first_product(client, query: str) -> str:
    html = text(client.get("/products", query_string={"q": query}))
    return re.findall(r'name="product_id" value="([0-9A-Z]{26})"', html)[0]


def add(client, quantity=10, **target):
    return post_form(client, "/order-sheet", "/order-sheet/lines", {"quantity": quantity, **target})


def place(client, **overrides):
    data = order_sheet_form(text(client.get("/order-sheet")), **overrides)
    return client.post("/order-sheet/place", data=data), data


def test_lines_from_a_search_result_and_a_product_group_fill_the_order_sheet(buyer):
    product = first_product(buyer, "ㄷㅂㄱㅈ")
    assert add(buyer, 12, product_id=product).status_code == 302
    assert add(buyer, 40, group_code=KIMCHI_GROUP).status_code == 302
    assert add(buyer, 3, product_id=product).status_code == 302  # the same line grows
    html = text(buyer.get("/order-sheet"))
    assert "표준 품목" in html and "포기김치 10kg" in html
    assert 'value="15"' in html and 'value="40"' in html
    assert re.search(r'<span class="count-badge subtle">2</span>', html)
    unit_price = int(re.search(r'<td class="num">([\d,]+)원', html).group(1).replace(",", ""))
    total = html.split("공급가액 합계 (표준 품목은 배정 후 확정)")[1].split("</tr>")[0]
    assert f"{unit_price * 15:,}원" in total


def test_a_quantity_that_is_not_a_number_is_refused_next_to_its_field(buyer):
    add(buyer, 5, group_code=KIMCHI_GROUP)
    response = post_form(buyer, "/order-sheet", "/order-sheet", {"lines.0.quantity": "많이"})
    html = text(response)
    assert response.status_code == 422
    assert 'id="f-lines-0-quantity-error"' in html
    assert 'aria-describedby="f-lines-0-quantity-error"' in html
    assert "수량은 1 이상의 숫자로 입력해 주세요." in html
    assert "/order-sheet/lines" in text(buyer.get("/products?q=김치"))  # nothing else broke
    flashed = add(buyer, "0", group_code=KIMCHI_GROUP)
    assert "수량은 1 이상" in text(buyer.get(flashed.headers["Location"]))


def test_removing_a_line(buyer):
    add(buyer, 5, group_code=KIMCHI_GROUP)
    add(buyer, 5, group_code="TOFU-SNACK-200G")
    post_form(buyer, "/order-sheet", "/order-sheet", {"remove": "0"})
    html = text(buyer.get("/order-sheet"))
    assert "두부과자" in html and "포기김치 10kg" not in html


def test_the_apis_field_errors_appear_next_to_the_delivery_fields(buyer):
    add(buyer, 5, group_code=KIMCHI_GROUP)
    response, _ = place(buyer, delivery_address="", needed_by="2026-13-45")
    html = text(response)
    assert response.status_code == 422
    assert 'id="f-delivery_address-error"' in html
    assert 'id="f-needed_by-error"' in html
    assert "입력한 내용을 확인해 주세요" in html
    assert '<a href="#f-delivery_address">배송지 주소' in html


def test_an_empty_order_sheet_cannot_be_placed(buyer):
    response, _ = place(buyer)
    assert response.status_code == 422
    assert "주문서에 담긴 품목이 없습니다." in text(response)


def test_a_line_the_catalog_refuses_is_marked_on_its_row(buyer):
    html = text(buyer.get("/products", query_string={"q": "두부과자 200g"}))
    cards = html.split('<li class="card">')[1:]
    moq_ten = next(card for card in cards if "최소 10봉" in card)
    product = re.search(r'name="product_id" value="([0-9A-Z]{26})"', moq_ten).group(1)
    add(buyer, 1, product_id=product)
    response, _ = place(buyer)
    html = text(response)
    assert response.status_code == 422
    row = html.split('class="row-problem"')[1].split("</tr>")[0]
    assert 'id="f-lines-0-quantity-error"' in row and "최소" in row


def test_placing_shows_the_split_with_supply_value_vat_and_total(buyer):
    add(buyer, 10, product_id=first_product(buyer, "ㄷㅂㄱㅈ"))
    add(buyer, 40, group_code=KIMCHI_GROUP)
    response, _ = place(buyer)
    assert response.status_code == 302
    order = buyer.get(response.headers["Location"])
    html = text(order)
    assert order.status_code == 200
    assert "주문을 접수했습니다" in html
    assert "공급 기업별 주문" in html and "공급가액" in html and "부가세" in html
    assert "면세" in html  # kimchi carries no VAT
    assert "공급 기업을 정한 이유" in html and "배정" in html
    assert re.search(r"\d{4}\. \d{1,2}\. \d{1,2}\.", html)
    assert "주문서가 비어 있습니다" in text(buyer.get("/order-sheet"))


def order_count(portal) -> int:
    headers = portal.bearer("buyer", GWANGMYEONG_CITY, DEPARTMENT)
    url = portal.urls["orders"] + "/v1/orders"
    return len(
        requests.get(url, params={"limit": 100}, headers=headers, timeout=10).json()["items"]
    )


def test_a_resubmitted_form_never_places_a_second_order(buyer, portal):
    add(buyer, 7, group_code=KIMCHI_GROUP)
    before = order_count(portal)
    first, data = place(buyer)
    again = buyer.post("/order-sheet/place", data=data)  # the reload / the second click
    assert again.status_code == 302
    assert again.headers["Location"].split("?")[0] == first.headers["Location"].split("?")[0]
    assert order_count(portal) == before + 1


def test_csrf_is_required_on_portal_forms(buyer):
    response = buyer.post("/order-sheet/lines", data={"group_code": KIMCHI_GROUP, "quantity": 1})
    assert response.status_code == 400
    assert "포기김치" not in text(buyer.get("/order-sheet"))


def test_a_group_line_no_supplier_can_take_says_why_on_its_row(buyer):
    add(buyer, 40, group_code=KIMCHI_GROUP)
    response, _ = place(buyer, brand_code="BITSONE")  # no 비츠원-listed kimchi in the demo data
    html = text(response)
    assert response.status_code == 422
    row = html.split('class="row-problem"')[1].split("</tr>")[0]
    assert "조건을 만족하는 공급 기업이 없습니다." in row
    assert "후보 기업 사정" in row and "곳" in row
    assert "enterprise_id" not in html and "None" not in row
