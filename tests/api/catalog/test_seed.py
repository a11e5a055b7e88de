"""`gachi seed`: the demo data set, seeded once for this module (it takes a fraction of a second,
but there is no need to repeat it per test)."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.adapters.models import (
    Base,
    Brand,
    BrandCommitteeMember,
    BrandListing,
    Certification,
    Enterprise,
    OutboxMessage,
    Product,
    ProductGroup,
)
from catalog.domain.enterprise import ENTERPRISE_TYPES
from catalog.seed import demo_id, run
from gachi_kit.dates import today_kst
from tests.support import infra

README_ENTERPRISES = ("enterprise:gm-tofu", "enterprise:wj-kimchi")
README_PRODUCTS = ("product:gm-tofu:TOFU-SNACK-200", "product:wj-kimchi:KIMCHI-10KG")


@pytest.fixture(scope="module")
def seeded(_catalog_app):
    cat = _catalog_app.extensions["catalog"]
    infra.truncate_all(cat.db, Base.metadata)
    first = run(cat)
    second = run(cat)
    yield {"app": _catalog_app, "cat": cat, "first": first, "second": second}
    infra.as_new(_catalog_app, "catalog")


def scalar(cat, query):
    with cat.db.reading() as session:
        return session.scalar(query)


def test_counts_and_variety(seeded):
    cat, first = seeded["cat"], seeded["first"]
    assert first["brands"] == 3 and first["enterprises"] >= 120 and first["products"] >= 400
    assert first["product_groups"] >= 5 and first["listings"] > 100
    with cat.db.reading() as session:
        types = Counter(session.scalars(select(Enterprise.enterprise_type)))
        regions = set(session.scalars(select(Enterprise.sigungu_code)))
        categories = Counter(session.scalars(select(Product.category)))
        brands = {b.code: b for b in session.scalars(select(Brand))}
        suppliers = Counter(
            session.scalars(select(Product.group_code).where(Product.group_code.is_not(None)))
        )
    assert set(types) == set(ENTERPRISE_TYPES)  # all seven
    assert {"41210", "52710", "52111", "52130", "52140"} <= regions
    assert any(code.startswith("11") for code in regions)  # a few in 서울
    assert len(categories) >= 8
    assert brands["BITSONE"].name == "비츠원" and brands["BITSONE"].sigungu_code == "41210"
    assert brands["SOCIAL-GOODS"].name == "소셜굿즈" and brands["SOCIAL-GOODS"].sigungu_code == (
        "52710"
    )
    assert (brands["JB-JAHWAL"].name, brands["JB-JAHWAL"].sido_code) == ("자활생산품", "52")
    assert brands["JB-JAHWAL"].sigungu_code is None
    for group in ("KIMCHI-POGI-10KG", "A4-PAPER-500", "TOFU-SNACK-200G"):
        assert suppliers[group] >= 3, group
    # the one event seeding records: each new enterprise is registered (notify then gives it
    # its default subscriptions), and nothing else
    events = scalar(cat, select(func.count()).select_from(OutboxMessage))
    registered = scalar(
        cat,
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.type == "enterprise.registered"),
    )
    assert events == registered == 126


def test_some_certifications_lapse_soon_and_some_have_lapsed(seeded):
    cat, today = seeded["cat"], today_kst()
    soon = scalar(
        cat,
        select(func.count()).where(
            Certification.valid_to >= today, Certification.valid_to <= today + timedelta(days=30)
        ),
    )
    lapsed = scalar(cat, select(func.count()).where(Certification.valid_to < today))
    assert soon >= 5 and lapsed >= 3


def test_seeding_twice_changes_nothing(seeded):
    assert set(seeded["second"].values()) == {0}
    cat = seeded["cat"]
    for model in (Enterprise, Product, BrandListing, ProductGroup):
        assert (
            scalar(cat, select(func.count()).select_from(model))
            == seeded["first"][
                {
                    Enterprise: "enterprises",
                    Product: "products",
                    BrandListing: "listings",
                    ProductGroup: "product_groups",
                }[model]
            ]
        )


def test_readme_ids_exist_and_are_orderable(seeded, token):
    client = seeded["app"].test_client()
    for key in README_ENTERPRISES:
        body = client.get(f"/v1/enterprises/{demo_id(key)}", headers=token("buyer", "I"))
        assert body.status_code == 200 and body.get_json()["certified_on_date"] is True
    needed_by = (today_kst() + timedelta(days=30)).isoformat()
    response = client.post(
        "/v1/pricing",
        json={
            "on_date": needed_by,
            "lines": [
                {"product_id": demo_id(README_PRODUCTS[0]), "quantity": 100},
                {"product_id": demo_id(README_PRODUCTS[1]), "quantity": 3},
            ],
        },
        headers=token("service"),
    )
    snack, kimchi = response.get_json()["lines"]
    assert snack["snapshot"]["name"] == "국산콩 두부과자 200g"
    assert kimchi["snapshot"]["name"] == "포기김치 10kg"
    assert kimchi["snapshot"]["enterprise_id"] == demo_id("enterprise:wj-kimchi")
    assert demo_id(README_PRODUCTS[0]) == "63G7TW5EWP6FJH7Z6BBSVQKKXB"  # printed in the README
    assert demo_id(README_PRODUCTS[1]) == "1PGRYD2566K49MTH9FPP1HNNPP"
    assert demo_id(README_ENTERPRISES[0]) == "23KFF7TJ9W6P3ZPDERCAH15E5Z"
    assert demo_id(README_ENTERPRISES[1]) == "4A5KS53XDYJTAJ6BC487WSPXYA"


def test_demo_data_is_searchable_and_carries_brands(seeded, token):
    client = seeded["app"].test_client()
    buyer = token("buyer", "I")
    kimchi = client.get("/v1/products?q=김치&page_size=100", headers=buyer).get_json()
    assert kimchi["total"] >= 10
    assert any(p["name"] == "포기김치 10kg" for p in kimchi["items"])
    assert client.get("/v1/products?q=ㄷㅂㄱㅈ", headers=buyer).get_json()["total"] >= 3
    for brand in ("BITSONE", "SOCIAL-GOODS", "JB-JAHWAL"):
        carried = client.get(f"/v1/brands/{brand}/products", headers=buyer).get_json()
        assert carried["total"] >= 5, brand
    group = client.post(
        "/v1/pricing",
        json={
            "brand_code": "SOCIAL-GOODS",
            "lines": [{"group_code": "KIMCHI-POGI-10KG", "quantity": 20}],
        },
        headers=token("service"),
    ).get_json()["lines"][0]
    assert len(group["candidates"]) >= 3
    assert any(c["listing"] and c["listing"]["status"] == "approved" for c in group["candidates"])


def test_listings_belong_to_their_enterprise_and_bitsone_has_a_committee(seeded):
    cat = seeded["cat"]
    assert seeded["first"]["committee_members"] == 3
    assert seeded["second"]["committee_members"] == 0
    with cat.db.reading() as session:
        rows = session.execute(
            select(BrandListing, Product).join(Product, Product.id == BrandListing.product_id)
        ).all()
        chairs = session.scalars(
            select(BrandCommitteeMember.user_sub).where(BrandCommitteeMember.is_chair)
        ).all()
    assert rows and all(lst.enterprise_id == p.enterprise_id for lst, p in rows)
    approved = [(lst, p) for lst, p in rows if lst.status == "approved"]
    assert approved and all(lst.reviewed_unit_price == p.unit_price for lst, p in approved)
    assert chairs == ["committee-bitsone-chair"]
