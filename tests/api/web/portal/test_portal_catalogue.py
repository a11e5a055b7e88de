"""The public catalogue, with no sign-in: showcases, Korean search, facets, product pages,
the served front-end packages and the Korean error pages."""

from __future__ import annotations

import re

import pytest

from tests.support.portal import OPERATOR, sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


def product_ids(html: str) -> list[str]:
    return re.findall(r'href="/products/([0-9A-Z]{26})"', html)


def test_home_shows_the_three_brands_and_the_product_groups_without_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = text(response)
    for brand in ("비츠원", "소셜굿즈", "자활생산품"):
        assert brand in html
    assert "포기김치 10kg" in html
    assert 'href="/groups/KIMCHI-POGI-10KG"' in html
    assert "로그인" in html and "주문서에 담기" not in html
    assert '<html lang="ko">' in html and 'href="#main"' in html and 'id="main"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ㄷㅂㄱㅈ", "두부과자"), ("김치", "포기김치"), ("호두 과자", "호두과자")],
    ids=["초성", "partial word", "spacing"],
)
def test_search_finds_products_the_way_people_type(client, query, expected):
    response = client.get("/products", query_string={"q": query})
    assert response.status_code == 200
    html = text(response)
    assert expected in html
    assert re.search(r"<strong>[1-9][0-9,]*</strong>개 상품", html)
    assert "원 <small>/" in html  # prices as 1,234원 per unit


def test_a_facet_narrows_the_results_and_is_marked_current(client):
    everything = text(client.get("/products", query_string={"q": "두부"}))
    narrowed = client.get("/products", query_string={"q": "두부", "enterprise_type": "cooperative"})
    html = text(narrowed)
    assert narrowed.status_code == 200
    assert 'aria-current="true"' in html
    assert len(product_ids(html)) < len(product_ids(everything))
    cards = html.split('<li class="card">')[1:]
    assert cards and all("협동조합" in card for card in cards)


def test_the_brand_filter_shows_only_that_brands_products(client):
    html = text(client.get("/products", query_string={"brand": "BITSONE"}))
    assert product_ids(html)
    product = text(client.get(f"/products/{product_ids(html)[0]}"))
    assert "비츠원 브랜드" in product


def test_a_search_the_catalog_refuses_shows_the_message_next_to_the_search_field(client):
    response = client.get("/products", query_string={"q": "가" * 101})
    html = text(response)
    assert response.status_code == 200
    assert 'id="f-q-error"' in html and 'aria-invalid="true"' in html
    assert "f-q-error" in html.split('id="f-q"')[1].split(">")[0]


def test_typing_in_the_search_box_swaps_only_the_results(client):
    response = client.get("/products", query_string={"q": "김치"}, headers={"HX-Request": "true"})
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and "포기김치" in html


def test_a_product_page_shows_enterprise_certification_price_unit_moq_and_lead_time(client):
    listing = text(client.get("/products", query_string={"group_code": "KIMCHI-POGI-10KG"}))
    pages = [text(client.get(f"/products/{pid}")) for pid in product_ids(listing)]
    html = next(page for page in pages if "인증 유효기간" in page)
    assert "기업과 인증" in html and "인증 유효" in html
    assert re.search(r"\d{4}\. \d{1,2}\. \d{1,2}\. ~ \d{4}\. \d{1,2}\. \d{1,2}\.", html)
    assert re.search(r"[\d,]+원", html)
    assert "면세" in html  # kimchi is not taxed
    assert "최소 주문" in html and "납기" in html and "주문 후" in html
    assert "로그인하고 주문하기" in html


def test_brand_and_product_group_pages(client, buyer):
    brand = client.get("/brands/BITSONE")
    assert brand.status_code == 200 and "비츠원 상품" in text(brand)
    group = buyer.get("/groups/KIMCHI-POGI-10KG")
    assert group.status_code == 200
    assert "표준 품목으로 담기" in text(group)


def test_unknown_pages_answer_a_korean_404_page(client):
    for path in ("/products/00000000000000000000000000", "/brands/NOPE", "/no-such-page"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "페이지를 찾을 수 없습니다" in text(response)


def test_the_front_end_packages_are_served_locally(client):
    for path in (
        "/assets/vendor/krds/css/component/component.css",
        "/assets/vendor/krds/css/common/common.css",
        "/assets/vendor/pretendard/static/pretendard-gov-subset.css",
        "/assets/vendor/htmx/htmx.min.js",
        # component.css points one img/ too deep; the route serves the kit's real icon
        "/assets/vendor/krds/img/img/component/icon/ico_angle.svg",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
    assert client.get("/assets/vendor/axe/axe.min.js").status_code == 404
    assert client.get("/assets/vendor/krds/../../package.json").status_code == 404
    layout = text(client.get("/"))
    assert "https://" not in "".join(re.findall(r'(?:href|src)="([^"]+)"', layout))


def test_signed_out_visitors_are_sent_to_sign_in_and_other_roles_get_a_korean_403(
    client, portal_app
):
    response = client.get("/order-sheet")
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["Location"]
    operator = sign_in(portal_app.test_client(), OPERATOR)
    forbidden = operator.get("/order-sheet")
    assert forbidden.status_code == 403
    assert "접근 권한이 없습니다" in text(forbidden)


def test_an_api_that_is_down_gives_a_korean_503_page_not_a_stack_trace(portal):
    import web
    from tests.support import infra

    closed = f"http://127.0.0.1:{infra.free_port()}"
    app = web.create_app({**portal.config, "CATALOG_URL": closed})
    response = app.test_client().get("/products", query_string={"q": "김치"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    html = text(response)
    assert "서비스를 잠시 사용할 수 없습니다" in html and "Traceback" not in html
