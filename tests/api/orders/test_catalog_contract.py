"""The contract with catalog, against the real catalog: what `CatalogClient` parses out of
`POST /v1/pricing` and `GET /v1/brands/{code}` (the in-memory fake must answer alike)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orders.adapters.catalog_client import UnknownBrand
from orders.domain.pricing import BrandTerms, PricedGroup, PricedProduct, RefusedLine
from tests.support.catalog_builders import approve, create_brand, create_group, supplier

ON = date.today() + timedelta(days=14)


@pytest.fixture
def priced_world(catalog_app, token):
    client, admin = catalog_app.test_client(), token("admin")
    create_brand(client, admin, routing_policy="fair_share", acceptance_hours=36)
    create_group(client, admin)
    _tofu_maker, tofu = supplier(
        client, admin, name="광명두부마을 협동조합", unit_price=3333, min_order_qty=10
    )
    kimchi_maker, kimchi = supplier(
        client,
        admin,
        name="완주 김치 마을기업",
        sigungu="52710",
        unit="박스",
        unit_price=65000,
        tax_type="exempt",
        group_code="KIMCHI-POGI-10KG",
        weekly_capacity=100,
        lead_time_days=3,
    )
    approve(client, admin, "BITSONE", kimchi["id"])
    return {"tofu": tofu, "kimchi": kimchi, "kimchi_maker": kimchi_maker}


def test_pricing_parses_into_orders_own_values(orders_app, priced_world):
    catalog = orders_app.extensions["orders"].catalog
    tofu, kimchi = priced_world["tofu"], priced_world["kimchi"]

    pricing = catalog.price(
        [
            {"product_id": tofu["id"], "quantity": 10},
            {"group_code": "KIMCHI-POGI-10KG", "quantity": 5},
            {"product_id": tofu["id"], "quantity": 1},
            {"product_id": "01JNOSUCHPRODUCT0000000000", "quantity": 1},
        ],
        ON,
    )

    product, group, below_minimum, unknown = pricing.lines
    assert isinstance(product, PricedProduct)
    snapshot = product.snapshot
    assert (snapshot.product_id, snapshot.unit_price, snapshot.tax_type) == (
        tofu["id"],
        3333,
        "taxable",
    )
    assert snapshot.enterprise_name == "광명두부마을 협동조합"
    assert snapshot.certified is True and snapshot.certification.number == "2024-001"
    assert snapshot.min_order_qty == 10 and snapshot.listing is None
    assert isinstance(group, PricedGroup)
    assert (group.group.code, group.group.unit) == ("KIMCHI-POGI-10KG", "박스")
    (candidate,) = group.candidates
    assert (candidate.product_id, candidate.weekly_capacity, candidate.sigungu_code) == (
        kimchi["id"],
        100,
        "52710",
    )
    assert isinstance(below_minimum, RefusedLine) and below_minimum.code == "below_minimum_order"
    assert isinstance(unknown, RefusedLine) and unknown.code == "product_not_found"
    assert unknown.detail  # Korean, for the buyer


def test_under_a_brand_the_listing_is_a_date_and_the_terms_come_along(orders_app, priced_world):
    catalog = orders_app.extensions["orders"].catalog

    pricing = catalog.price([{"group_code": "KIMCHI-POGI-10KG", "quantity": 1}], ON, "BITSONE")

    (candidate,) = pricing.lines[0].candidates
    assert candidate.listing.brand_code == "BITSONE"
    assert candidate.listing.status == "approved"
    assert candidate.listing.valid_until > ON
    terms = BrandTerms("BITSONE", "fair_share", 36)
    # a catalog that sends the brand's terms with pricing spares orders the second call
    assert pricing.brand == terms
    assert catalog.brand_terms("BITSONE") == terms


def test_an_unknown_brand_is_refused_by_both_calls(orders_app, priced_world):
    catalog = orders_app.extensions["orders"].catalog
    line = {"product_id": priced_world["tofu"]["id"], "quantity": 10}

    with pytest.raises(UnknownBrand):
        catalog.price([line], ON, "NOWHERE")
    with pytest.raises(UnknownBrand):
        catalog.brand_terms("NOWHERE")
