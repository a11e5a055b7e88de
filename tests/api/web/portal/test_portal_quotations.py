"""견적서 in the portal: "견적서 받기" on the 주문서, the buyer's list with downloads (a PDF
still being drawn says so), refusals next to the line, and the enterprise's own list."""

from __future__ import annotations

import re

from orders.services import quotations
from tests.support.pdf import text_of
from tests.support.portal import OPERATOR, order_sheet_form, post_form, sign_in

TOFU = "광명두부마을 협동조합"


def text(response) -> str:
    return response.get_data(as_text=True)


def tofu_product(client) -> str:
    html = text(client.get("/products", query_string={"q": "두부과자"}))
    card = next(c for c in html.split('<li class="card">')[1:] if TOFU in c)
    return re.search(r'name="product_id" value="([0-9A-Z]{26})"', card).group(1)


def add(client, quantity=10, **target):
    return post_form(client, "/order-sheet", "/order-sheet/lines", {"quantity": quantity, **target})


def ask_for_quotations(client, **overrides):
    data = order_sheet_form(text(client.get("/order-sheet")), **overrides)
    return client.post("/quotations/request", data=data)


def test_the_order_sheet_asks_for_quotations_and_the_buyer_downloads_them(buyer, portal):
    add(buyer, 20, product_id=tofu_product(buyer))
    cart = text(buyer.get("/order-sheet"))
    assert 'formaction="/quotations/request"' in cart and ">견적서 받기</button>" in cart
    response = ask_for_quotations(buyer, memo="연말 행사용, 오전 납품 희망")
    assert response.status_code == 302, text(response)
    listed = buyer.get(response.headers["Location"])
    html = text(listed)
    assert "견적서 1건을 받았습니다" in html
    assert TOFU in html and "row-new" in html and "만드는 중" in html
    link = re.search(r'href="(/quotations/([0-9A-Z]{26})/pdf)"', html)
    waiting = buyer.get(link.group(1))
    assert waiting.status_code == 302  # orders is still drawing it: back to the list
    assert "만드는 중입니다" in text(buyer.get(waiting.headers["Location"]))

    orders_wiring = portal.apps["orders"].extensions["orders"]
    assert quotations.render_cached(orders_wiring, link.group(2)) == "rendered"  # the task
    pdf = buyer.get(link.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    page = text_of(pdf.data)
    assert "견적서" in page and "광명두부마을협동조합" in page and "광명시청" in page
    assert "요청사항:연말행사용,오전납품희망" in page

    operator = sign_in(portal.web_app.test_client(), OPERATOR)
    own = text(operator.get("/enterprise/quotations"))
    assert "광명시청 총무과" in own and "연말 행사용, 오전 납품 희망" in own
    download = re.search(rf'href="(/enterprise/quotations/{link.group(2)}/pdf)"', own)
    answer = operator.get(download.group(1))
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"


def test_a_standard_item_cannot_be_quoted_and_says_so_on_its_row(buyer):
    add(buyer, 5, group_code="KIMCHI-POGI-10KG")
    response = ask_for_quotations(buyer)
    html = text(response)
    assert response.status_code == 422
    assert 'id="f-lines-0-quantity-error"' in html
    assert "표준 품목은 견적을 받을 수 없습니다" in html


def test_an_empty_order_sheet_gets_no_quotation(buyer):
    response = ask_for_quotations(buyer)
    assert response.status_code == 422
    assert "주문서에 담긴 품목이 없습니다." in text(response)
