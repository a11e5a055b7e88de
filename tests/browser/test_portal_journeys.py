"""The portal's journeys in a real browser (Debian's Chromium), axe on every page visited:
a purchase officer from sign-in to 검수, a participant joining a group order on a phone,
and placing an order with the keyboard only."""

from __future__ import annotations

import re

import requests

from tests.browser.conftest import PHONE
from tests.support.portal import BUYER, DEPARTMENT, GWANGMYEONG_CITY

GOOD_ROWS = "상품군코드,수량\nKIMCHI-POGI-10KG,20\nTOFU-SNACK-200G,30\n"
BAD_ROWS = "상품군코드,수량\nKIMCHI-POGI-10KG,20\n포기김치아님,5\nTOFU-SNACK-200G,30\n"


def sign_in(page, checked, email=BUYER):
    from web.seed import DEMO_PASSWORD

    page.goto("/sign-in")
    checked(page, "sign-in")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))


def orders_api(portal, method, path, headers, **kwargs):
    response = requests.request(
        method, portal.urls["orders"] + path, headers=headers, timeout=10, **kwargs
    )
    assert response.status_code < 300, response.text
    return response.json()


def buyer_orders(portal) -> list[dict]:
    headers = portal.bearer("buyer", GWANGMYEONG_CITY, DEPARTMENT)
    return orders_api(portal, "GET", "/v1/orders", headers, params={"limit": 100})["items"]


def cart_count(page) -> int:
    badge = page.locator(".main-nav .count-badge")
    return int(badge.inner_text()) if badge.count() else 0


def add_products_until(page, lines: int) -> None:
    """Fill the 주문서 from search results: one line per product card."""
    for query in ("김치", "두부", "비누", "쌀", "과자", "도시락"):
        page.goto(f"/products?q={query}")
        for index in range(page.locator(".card form").count()):
            if cart_count(page) >= lines:
                return
            page.locator(".card form").nth(index).get_by_role("button").click()
            page.wait_for_load_state()
    raise AssertionError("not enough products in the demo data")


def test_a_purchase_officer_from_search_to_inspection(open_page, checked, portal):
    page = open_page()
    page.goto("/")
    checked(page, "home")
    sign_in(page, checked)

    # 초성 search, as typed: htmx swaps the results
    page.goto("/products")
    page.get_by_label("검색어").fill("ㄷㅂㄱㅈ")
    page.get_by_label("검색어").press("Enter")
    page.wait_for_url(re.compile("q="))
    assert "두부과자" in page.locator("#results").inner_text()
    checked(page, "search-chosung")
    page.locator(".card h3 a").first.click()
    checked(page, "product")

    # a 20-line order: 19 products from search results and one product group
    add_products_until(page, 19)
    page.goto("/groups/KIMCHI-POGI-10KG")
    checked(page, "product-group")
    page.get_by_label("수량 (박스)").fill("40")
    page.get_by_role("button", name="표준 품목으로 담기").click()
    page.goto("/order-sheet")
    assert page.locator("tbody tr").count() == 20
    checked(page, "order-sheet")

    before = len(buyer_orders(portal))
    page.get_by_role("button", name="주문하기").dblclick()  # a double click places once
    page.wait_for_url(re.compile(r"/orders/[0-9A-Z]{26}"))
    assert "주문을 접수했습니다" in page.content()
    assert page.locator(".supplier-order").count() >= 2
    checked(page, "order-placed-split")
    assert len(buyer_orders(portal)) == before + 1

    # a CP949 spreadsheet with one bad row, fixed, then placed
    page.goto("/order-sheet/upload")
    checked(page, "upload")
    page.set_input_files(
        "#f-file",
        files=[{"name": "주문.csv", "mimeType": "text/csv", "buffer": BAD_ROWS.encode("cp949")}],
    )
    page.get_by_role("button", name="파일 점검하기").click()
    assert "3번째 줄" in page.locator("#row-problems").inner_text()
    checked(page, "upload-row-problem")
    page.set_input_files(
        "#f-file",
        files=[{"name": "주문.csv", "mimeType": "text/csv", "buffer": GOOD_ROWS.encode("cp949")}],
    )
    page.get_by_role("button", name="파일 점검하기").click()
    assert "모두 주문할 수 있습니다" in page.content()
    checked(page, "upload-preview")
    page.get_by_role("button", name="이대로 주문하기").click()
    page.wait_for_url(re.compile(r"/orders/[0-9A-Z]{26}"))
    order_path = page.url.split(portal.urls["web"])[1].split("?")[0]
    checked(page, "upload-placed")

    # later: the enterprise delivers, the officer inspects (검수)
    order = orders_api(
        portal, "GET", f"/v1{order_path}", portal.bearer("buyer", GWANGMYEONG_CITY, DEPARTMENT)
    )
    supplier_order = order["supplier_orders"][0]
    operator = portal.bearer("enterprise", supplier_order["enterprise_id"])
    path = f"/v1/supplier-orders/{supplier_order['id']}"
    orders_api(portal, "POST", f"{path}/accept", operator, json={})
    orders_api(
        portal,
        "POST",
        f"{path}/ship",
        operator,
        json={"carrier": "우체국택배", "tracking_number": "6891234567"},
    )
    orders_api(portal, "POST", f"{path}/deliver", operator, json={})
    page.goto("/orders")
    checked(page, "order-list")
    page.goto(order_path)
    section = page.locator(f"#so-{supplier_order['id']}")
    delivered = supplier_order["lines"][0]["quantity"]
    section.locator("input[name$='.accepted_quantity']").first.fill(str(delivered - 1))
    section.locator("input[name$='.rejected_quantity']").first.fill("1")
    section.locator("input[name$='.reason']").first.fill("포장 파손")
    checked(page, "inspection-form")
    section.get_by_role("button", name="검수 완료").click()
    page.wait_for_load_state()
    assert "검수 결과를 기록했습니다" in page.content()
    assert "포장 파손" in page.locator(f"#so-{supplier_order['id']}").inner_text()
    checked(page, "inspected")
    page.goto("/inbox")
    checked(page, "inbox")


def test_a_participant_joins_a_group_order_from_its_link_on_a_phone(open_page, checked):
    organiser = open_page()
    sign_in(organiser, checked)
    organiser.goto("/group-purchases/new")
    checked(organiser, "group-new")
    organiser.get_by_label("제목").fill("2026 복지관 김장 나눔")
    organiser.get_by_label("최소 수량 (모든 품목 합계)").fill("10")
    organiser.locator("label[for='group-KIMCHI-POGI-10KG']").click()
    organiser.get_by_role("button", name="단체 구매 열기").click()
    organiser.wait_for_url(re.compile(r"/group-purchases/[0-9A-Z]{26}"))
    checked(organiser, "group-organiser")
    link = organiser.locator("#share-url").inner_text()

    phone = open_page(PHONE)
    phone.goto(link)
    checked(phone, "join-375")
    phone.get_by_label("이름").fill("김참여")
    phone.get_by_label("연락처").fill("연락처 모름")
    phone.get_by_role("button", name="참여하기").click()
    assert phone.locator("#f-contact-error").is_visible()
    checked(phone, "join-375-error")
    phone.get_by_label("연락처").fill("010-2345-6789")
    phone.get_by_label("포기김치 10kg 수량(박스)").fill("4")
    phone.get_by_role("button", name="참여하기").click()
    assert "김참여님의 참여" in phone.content()
    assert "4 / 최소 10" in phone.locator(".panel").first.inner_text().replace("\n", " ")
    checked(phone, "joined-375")
    phone.get_by_label("포기김치 10kg 수량(박스)").fill("6")
    phone.get_by_role("button", name="수량 바꾸기").click()
    assert "수량을 바꿨습니다" in phone.content()
    assert "6 / 최소 10" in phone.locator(".panel").first.inner_text().replace("\n", " ")
    checked(phone, "changed-375")

    organiser.reload()
    assert "김참여" in organiser.content() and "010-2345-6789" in organiser.content()


def test_an_order_placed_with_the_keyboard_only(open_page, checked, portal):
    page = open_page()
    sign_in(page, checked)
    page.goto("/groups/TOFU-SNACK-200G")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "본문 바로가기"
    page.get_by_label("수량 (봉)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form it is in
    assert "주문서에 담았습니다" in page.content()
    page.goto("/order-sheet")
    page.get_by_label("요청 사항").focus()
    page.keyboard.type("정문 경비실에 맡겨 주세요")
    before = len(buyer_orders(portal))
    for _ in range(60):  # Tab through the form to the 주문하기 button, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "주문하기":
            break
    else:
        raise AssertionError("주문하기 cannot be reached with Tab")
    checked(page, "keyboard-focus-on-place")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/orders/[0-9A-Z]{26}"))
    assert "주문을 접수했습니다" in page.content()
    assert len(buyer_orders(portal)) == before + 1
    checked(page, "keyboard-placed")
