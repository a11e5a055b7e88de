"""catalog's pricing JSON parsed once into orders' values (the live contract is in
tests/api/orders/test_catalog_contract.py)."""

from __future__ import annotations

from datetime import date

import pytest

from orders.adapters.catalog_client import CatalogClient, CatalogError, parse_pricing
from orders.domain.pricing import BrandTerms, PricedGroup, PricedProduct, RefusedLine

SNAPSHOT = {
    "product_id": "01JPRODUCTPOGIKIMCHI000001",
    "product_version": 3,
    "sku": "KIMCHI-10",
    "name": "포기김치 10kg",
    "unit": "박스",
    "unit_price": 65000,
    "tax_type": "exempt",
    "lead_time_days": 3,
    "min_order_qty": 1,
    "weekly_capacity": 100,
    "stock": None,
    "group_code": "KIMCHI-POGI-10KG",
    "enterprise_id": "01JENTERPRISEWANJUKIMCHI01",
    "enterprise_name": "완주 김치 마을기업",
    "enterprise_type": "village_enterprise",
    "enterprise_type_label": "마을기업",
    "sido_code": "52",
    "sigungu_code": "52710",
    "certified": True,
    "certification": {"kind": "village", "number": "2025-17", "valid_to": "2027-03-31"},
    "listing": {"brand_code": "BITSONE", "status": "approved", "valid_until": "2027-06-30"},
}


def test_every_kind_of_line_and_the_brands_terms():
    pricing = parse_pricing(
        {
            "on_date": "2026-12-24",
            "brand_code": "BITSONE",
            "brand": {
                "code": "BITSONE",
                "name": "비츠원",
                "routing_policy": "local_first",
                "acceptance_hours": 24,
            },
            "lines": [
                {"product_id": SNAPSHOT["product_id"], "quantity": 4, "snapshot": SNAPSHOT},
                {
                    "group_code": "KIMCHI-POGI-10KG",
                    "quantity": 40,
                    "group": {"code": "KIMCHI-POGI-10KG", "name": "포기김치 10kg", "unit": "박스"},
                    "candidates": [SNAPSHOT],
                },
                {
                    "product_id": "01JNOSUCHPRODUCT0000000000",
                    "quantity": 1,
                    "error": {"code": "product_not_found", "detail": "등록되지 않은 상품입니다."},
                },
            ],
        }
    )

    product, group, refused = pricing.lines
    assert isinstance(product, PricedProduct)
    assert product.snapshot.listing.valid_until == date(2027, 6, 30)
    assert product.snapshot.certification.valid_to == date(2027, 3, 31)
    assert isinstance(group, PricedGroup) and group.candidates == (product.snapshot,)
    assert refused == RefusedLine("product_not_found", "등록되지 않은 상품입니다.")
    assert pricing.brand == BrandTerms("BITSONE", "local_first", 24)
    assert pricing.snapshots() == [product.snapshot, product.snapshot]


def test_an_answer_without_brand_terms_has_none():
    assert parse_pricing({"on_date": "2026-12-24", "lines": []}).brand is None


class _Answer:
    def __init__(self, status_code: int, body: dict) -> None:
        self.status_code, self._body, self.text = status_code, body, str(body)

    def json(self) -> dict:
        return self._body


class _Http:
    """Stands in for the HTTP client at the edge: answers every POST with `answer`."""

    def __init__(self, answer: _Answer) -> None:
        self.answer = answer

    def post(self, path: str, json: dict) -> _Answer:
        return self.answer


@pytest.mark.parametrize(
    "answer",
    [
        _Answer(200, {"lines": [{"product_id": "p", "snapshot": {"name": "이름만 있는 상품"}}]}),
        _Answer(200, {"lines": []}),  # one line asked, none answered
        _Answer(500, {"code": "internal_error"}),
    ],
)
def test_an_answer_orders_cannot_use_is_a_catalog_error(answer):
    client = CatalogClient(_Http(answer))
    with pytest.raises(CatalogError):
        client.price([{"product_id": "p", "quantity": 1}], date(2026, 12, 24))
