"""GET /v1/products: Korean the way people type it, filters, facets, sorting, pagination.

The expected lists are exact and ordered, so running this file on SQLite and on PostgreSQL
checks that both return the same rows in the same order.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from catalog.adapters.models import Product
from catalog.domain.search_text import query_terms
from tests.support.builders import create_product, register_enterprise
from tests.support.catalog_builders import approve, certify, create_brand


@pytest.fixture
def shelf(client, admin):
    """Three enterprises in 광명, 완주 and 전주, eleven products, one brand listing."""
    tofu = register_enterprise(client, admin, name="광명두부마을 협동조합")
    kimchi = register_enterprise(
        client,
        admin,
        name="완주 로컬푸드 마을기업",
        enterprise_type="village_enterprise",
        sigungu_code="52710",
    )
    soap = register_enterprise(
        client,
        admin,
        name="전주 자활 수제비누 사업단",
        enterprise_type="self_reliance_work_group",
        sigungu_code="52111",
    )
    certify(client, admin, tofu["id"])
    certify(client, admin, kimchi["id"])

    def add(enterprise, name, price, **kw):
        kw.setdefault("description", "")
        return create_product(client, admin, enterprise["id"], name=name, unit_price=price, **kw)

    p = {
        "snack": add(tofu, "국산콩 두부과자 200g", 3500, tags=["간식"]),
        "walnut": add(tofu, "호두과자 20개입", 12000, tags=["간식"]),
        "walnut_gift": add(tofu, "우리밀 호두 과자 선물세트", 25000, category="gift"),
        "cookie": add(tofu, "비츠원 수제쿠키", 16000, stock=0),
        "draft": add(tofu, "두부과자 신제품", 4000, status="draft"),
        "pogi": add(kimchi, "포기김치 10kg", 65000, tax_type="exempt", unit="박스", stock=30),
        "stew": add(kimchi, "김치찌개용 묵은지 5kg", 38000, tax_type="exempt"),
        "radish": add(
            kimchi,
            "총각무 3kg",
            9000,
            tax_type="exempt",
            category="agriculture",
            description="김치 담그기 좋은 총각무",
        ),
        "soap": add(soap, "천연 수제 비누 선물세트", 15000, category="household"),
        "a4": add(soap, "A4 복사용지 500매", 5200, category="office"),
        "gone": add(kimchi, "백김치 2kg", 18000, tax_type="exempt"),
    }
    client.patch(f"/v1/products/{p['gone']['id']}", json={"status": "discontinued"}, headers=admin)
    create_brand(client, admin)
    approve(client, admin, "BITSONE", p["snack"]["id"])
    approve(client, admin, "BITSONE", p["walnut"]["id"])
    return {"tofu": tofu, "kimchi": kimchi, "soap_maker": soap, **p}


def names(client, headers, query=""):
    response = client.get(f"/v1/products?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [p["name"] for p in response.get_json()["items"]]


@pytest.fixture
def buyer(token):
    return token("buyer", "INST-GWANGMYEONG")


def test_partial_word_finds_compounds_ranked_name_prefix_contains_other(client, shelf, buyer):
    assert names(client, buyer, "q=김치") == [
        "김치찌개용 묵은지 5kg",  # the name starts with it
        "포기김치 10kg",  # the name contains it
        "총각무 3kg",  # only the description does
    ]
    assert names(client, buyer, "q=두부과") == ["국산콩 두부과자 200g"]


def test_choseong_finds_the_words(client, shelf, buyer):
    assert names(client, buyer, "q=ㄷㅂㄱㅈ") == ["국산콩 두부과자 200g"]
    assert names(client, buyer, "q=ㅍㄱㄱㅊ") == ["포기김치 10kg"]
    assert names(client, buyer, "q=ㄱㅊ") == ["김치찌개용 묵은지 5kg", "포기김치 10kg"]


def test_spacing_does_not_matter(client, shelf, buyer):
    spaced, joined = names(client, buyer, "q=호두 과자"), names(client, buyer, "q=호두과자")
    assert spaced == joined
    assert sorted(spaced) == ["우리밀 호두 과자 선물세트", "호두과자 20개입"]
    assert names(client, buyer, "q=포기 김치") == ["포기김치 10kg"]


def test_brand_words_neologisms_latin_and_enterprise_names(client, shelf, buyer):
    assert names(client, buyer, "q=비츠원") == ["비츠원 수제쿠키"]
    assert names(client, buyer, "q=a4") == ["A4 복사용지 500매"]
    assert names(client, buyer, "q=Ａ４") == ["A4 복사용지 500매"]  # full-width
    by_enterprise = names(client, buyer, "q=수제비누 사업단&sort=price_asc")
    assert by_enterprise == ["A4 복사용지 500매", "천연 수제 비누 선물세트"]
    assert names(client, buyer, "q=간식&sort=price_asc") == [
        "국산콩 두부과자 200g",
        "호두과자 20개입",
    ]
    assert names(client, buyer, "q=없는상품") == []


def test_non_owners_see_only_products_on_sale(client, admin, shelf, buyer, token):
    everything = names(client, buyer, "page_size=100")
    assert "두부과자 신제품" not in everything and "백김치 2kg" not in everything
    assert len(everything) == 9
    mine = names(client, token("enterprise", shelf["tofu"]["id"]), "q=두부과자")
    assert sorted(mine) == ["국산콩 두부과자 200g", "두부과자 신제품"]
    other = names(client, token("enterprise", shelf["kimchi"]["id"]), "q=두부과자")
    assert other == ["국산콩 두부과자 200g"]
    assert len(names(client, admin, "page_size=100")) == 11
    assert names(client, admin, "status=discontinued") == ["백김치 2kg"]
    # a suspended enterprise's products disappear for buyers
    suspended = client.patch(
        f"/v1/enterprises/{shelf['soap_maker']['id']}", json={"status": "suspended"}, headers=admin
    )
    assert suspended.status_code == 200
    assert names(client, buyer, "q=비누") == []
    assert names(client, admin, "q=비누") == ["천연 수제 비누 선물세트", "A4 복사용지 500매"]


def test_filters(client, shelf, buyer):
    order = "&sort=price_asc"
    assert names(client, buyer, "category=agriculture" + order) == ["총각무 3kg"]
    assert names(client, buyer, "enterprise_type=village_enterprise" + order) == [
        "총각무 3kg",
        "김치찌개용 묵은지 5kg",
        "포기김치 10kg",
    ]
    assert names(client, buyer, "sido=52&price_max=10000" + order) == [
        "A4 복사용지 500매",
        "총각무 3kg",
    ]
    assert names(client, buyer, "sigungu=52111" + order) == [
        "A4 복사용지 500매",
        "천연 수제 비누 선물세트",
    ]
    assert names(client, buyer, "price_min=20000&price_max=40000" + order) == [
        "우리밀 호두 과자 선물세트",
        "김치찌개용 묵은지 5kg",
    ]
    out = names(client, buyer, "in_stock=false")
    assert out == ["비츠원 수제쿠키"]
    assert "비츠원 수제쿠키" not in names(client, buyer, "in_stock=true&page_size=100")
    certified = names(client, buyer, f"certified_on={date.today().isoformat()}&page_size=100")
    assert len(certified) == 7 and "천연 수제 비누 선물세트" not in certified
    not_yet = (date.today() + timedelta(days=400)).isoformat()
    assert names(client, buyer, f"certified_on={not_yet}") == []
    assert names(client, buyer, "brand=BITSONE" + order) == [
        "국산콩 두부과자 200g",
        "호두과자 20개입",
    ]
    assert names(client, buyer, f"brand=BITSONE&certified_on={not_yet}") == []
    # both names contain 과자: the shorter name ranks first
    assert names(client, buyer, "q=과자&brand=BITSONE&category=food") == [
        "호두과자 20개입",
        "국산콩 두부과자 200g",
    ]


def test_facets_count_the_filtered_set(client, shelf, buyer):
    body = client.get("/v1/products?sido=52", headers=buyer).get_json()
    assert body["total"] == 5
    facets = body["facets"]
    assert facets["category"] == [
        {"code": "food", "label": "식품", "count": 2},
        {"code": "agriculture", "label": "농산물", "count": 1},
        {"code": "household", "label": "생활용품", "count": 1},
        {"code": "office", "label": "사무용품", "count": 1},
    ]
    assert facets["enterprise_type"] == [
        {"code": "village_enterprise", "label": "마을기업", "count": 3},
        {"code": "self_reliance_work_group", "label": "자활근로사업단", "count": 2},
    ]
    assert facets["sido"] == [{"code": "52", "label": "전북특별자치도", "count": 5}]


@pytest.mark.parametrize("sort", ["relevance", "price_asc", "price_desc", "newest"])
def test_cursor_pages_cover_everything_once_in_order(client, shelf, buyer, sort):
    q = "&q=ㄱ" if sort == "relevance" else ""  # six names, all three ranks
    whole = client.get(f"/v1/products?sort={sort}&page_size=100{q}", headers=buyer).get_json()
    expected = [p["id"] for p in whole["items"]]
    assert whole["next_cursor"] is None and whole["sort"] == sort
    seen, cursor = [], ""
    for _ in range(20):
        page = client.get(
            f"/v1/products?sort={sort}&page_size=2{q}&cursor={cursor}", headers=buyer
        ).get_json()
        seen += [p["id"] for p in page["items"]]
        assert page["total"] == len(expected)
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == expected
    if sort == "price_asc":
        prices = [p["unit_price"] for p in whole["items"]]
        assert prices == sorted(prices)
    if sort == "price_desc":
        prices = [p["unit_price"] for p in whole["items"]]
        assert prices == sorted(prices, reverse=True)


def test_relevance_without_a_query_is_newest(client, shelf, buyer):
    body = client.get("/v1/products?page_size=3", headers=buyer).get_json()
    assert body["sort"] == "newest"
    assert [p["name"] for p in body["items"]] == [
        "A4 복사용지 500매",
        "천연 수제 비누 선물세트",
        "총각무 3kg",
    ]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("page_size=1000000", "validation_failed", "page_size"),
        ("page_size=0", "validation_failed", "page_size"),
        ("price_min=-1", "validation_failed", "price_min"),
        ("price_min=1.5", "validation_failed", "price_min"),
        ("price_min=5000&price_max=100", "invalid_range", "price_max"),
        ("category=weapons", "unknown_category", "category"),
        ("brand=NOPE", "unknown_brand", "brand"),
        ("sigungu=99999", "unknown_region", "sigungu"),
        ("sido=99", "unknown_region", "sido"),
        ("enterprise_type=startup", "validation_failed", "enterprise_type"),
        ("sort=popular", "validation_failed", "sort"),
        ("certified_on=yesterday", "validation_failed", "certified_on"),
        ("cursor=%%%", "invalid_cursor", "cursor"),
        ("in_stock=maybe", "validation_failed", "in_stock"),
    ],
)
def test_bad_search_input_is_422_problem(client, buyer, query, code, field):
    response = client.get(f"/v1/products?{query}", headers=buyer)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == code
    assert field in response.get_json()["errors"]


def test_a_cursor_from_another_search_is_refused(client, shelf, buyer, token):
    first = client.get("/v1/products?page_size=2&sort=price_asc", headers=buyer).get_json()
    cursor = first["next_cursor"]
    for query, headers in (
        (f"page_size=2&sort=price_desc&cursor={cursor}", buyer),
        (f"page_size=2&sort=price_asc&category=food&cursor={cursor}", buyer),
        (f"page_size=2&sort=price_asc&cursor={cursor}", token("enterprise", "E1")),
    ):
        response = client.get(f"/v1/products?{query}", headers=headers)
        assert response.status_code == 422 and response.get_json()["code"] == "invalid_cursor"


def test_search_needs_a_token(client):
    assert client.get("/v1/products").status_code == 401


def test_like_wildcards_in_a_query_are_plain_text(client, shelf, buyer):
    assert names(client, buyer, "q=%25김치") == names(client, buyer, "q=김치")
    assert names(client, buyer, "q=_두부과") == ["국산콩 두부과자 200g"]


# -- the gram index (product_search): it narrows, LIKE decides, so results never change --------


def test_one_and_two_character_terms_and_choseong_pairs(client, shelf, buyer):
    assert names(client, buyer, "q=쿠") == ["비츠원 수제쿠키"]
    assert names(client, buyer, "q=무") == ["총각무 3kg", "A4 복사용지 500매"]  # 사무용품
    # ㄷㅂ: 두부 in a name, or in the enterprise's name (광명두부마을), in that order
    assert names(client, buyer, "q=ㄷㅂ") == [
        "국산콩 두부과자 200g",
        "비츠원 수제쿠키",
        "호두과자 20개입",
        "우리밀 호두 과자 선물세트",
    ]
    assert names(client, buyer, "q=ㄷ ㅂ") == names(client, buyer, "q=ㄷㅂ")
    assert names(client, buyer, "q=김 치") == names(client, buyer, "q=김치")


QUERIES = ["김치", "김", "두부", "ㄷㅂ", "ㄱㅊ", "호두 과자", "두부과", "a4", "Ａ４", "200", "조합"]
QUERIES += ["ㅅㅈ", "선물", "수제비누", "치두", "kg", "0g", "없는상품", "자활", "ㅂㅊㅇ", "과"]


@pytest.mark.parametrize("q", QUERIES)
def test_the_index_finds_exactly_what_like_finds(client, shelf, admin, catalog_app, q):
    """Every product whose search_text contains the term, by a bare LIKE that no index
    serves, is what the search returns (admin sees every status): on SQLite via FTS5, on
    PostgreSQL via GIN, the same rows."""
    (term,) = query_terms(q)
    with catalog_app.extensions["catalog"].db.reading() as session:
        expected = session.scalars(
            select(Product.name).where(Product.search_text.like(f"%{term}%"))
        ).all()
    found = names(client, admin, f"q={q}&limit=100")
    assert sorted(found) == sorted(expected)
    assert (found != []) == (q not in ("없는상품", "치두"))


def test_the_index_follows_every_write(client, shelf, admin, buyer):
    snack = shelf["snack"]["id"]
    renamed = client.patch(f"/v1/products/{snack}", json={"name": "검은콩 강정"}, headers=admin)
    assert renamed.status_code == 200, renamed.get_json()
    assert names(client, buyer, "q=ㄱㅇㅋ") == ["검은콩 강정"]
    assert names(client, buyer, "q=두부과") == []
    tags = client.patch(f"/v1/products/{snack}", json={"tags": ["명절선물"]}, headers=admin)
    assert tags.status_code == 200
    assert names(client, buyer, "q=명절") == ["검은콩 강정"]
    assert names(client, buyer, "q=간식") == ["호두과자 20개입"]
    # renaming the enterprise reindexes its products (the 초성 of the enterprise name too)
    tofu = shelf["tofu"]["id"]
    moved = client.patch(f"/v1/enterprises/{tofu}", json={"name": "소하 콩마을"}, headers=admin)
    assert moved.status_code == 200, moved.get_json()
    assert names(client, buyer, "q=광명두부") == []
    assert names(client, buyer, "q=ㅋㅁㅇ&sort=price_asc") == [
        "검은콩 강정",
        "호두과자 20개입",
        "비츠원 수제쿠키",
        "우리밀 호두 과자 선물세트",
    ]
