"""An in-memory catalog for orders' use-case tests: the same methods as
`orders.adapters.catalog_client.CatalogClient`, answering from what a test put in.

It answers the way catalog's `POST /v1/pricing` does for the cases orders acts on (unknown
product or group, minimum order quantity, not listed under the brand, a group's candidates,
an unknown brand, an outage). The contract itself is tested against the real catalog
(tests/api/orders)."""

from __future__ import annotations

import dataclasses
from datetime import date

from gachi_kit.http import UpstreamUnavailable
from orders.adapters.catalog_client import UnknownBrand
from orders.domain.pricing import (
    BrandTerms,
    Listing,
    PricedGroup,
    PricedLine,
    PricedProduct,
    Pricing,
    ProductGroup,
    RefusedLine,
    Snapshot,
)


def snapshot(product_id: str, enterprise_id: str, **fields) -> Snapshot:
    """A product on sale, certified, from 광명 (override any field)."""
    defaults = {
        "product_version": 1,
        "sku": f"SKU-{product_id}",
        "name": "국산콩 두부과자 200g",
        "unit": "봉",
        "unit_price": 3500,
        "tax_type": "taxable",
        "lead_time_days": 3,
        "enterprise_name": f"{enterprise_id} 협동조합",
        "enterprise_type": "cooperative",
        "certified": True,
        "sigungu_code": "41210",
    }
    return Snapshot(product_id=product_id, enterprise_id=enterprise_id, **defaults | fields)


def listed(brand_code: str, valid_until: date) -> Listing:
    return Listing(brand_code=brand_code, status="approved", valid_until=valid_until)


class FakeCatalogClient:
    def __init__(self, *, sends_brand_terms: bool = True) -> None:
        # False: answer like a catalog from before pricing carried the brand's terms.
        self.sends_brand_terms = sends_brand_terms
        self.down = False
        self.calls: list[str] = []  # "price" / "brand_terms", in order
        self._products: dict[str, Snapshot] = {}
        self._groups: dict[str, tuple[ProductGroup, list[str]]] = {}
        self._brands: dict[str, BrandTerms] = {}

    # -- what a test puts in -----------------------------------------------------------

    def add_product(self, product: Snapshot) -> Snapshot:
        self._products[product.product_id] = product
        return product

    def add_group(self, code: str, name: str, unit: str, members: list[Snapshot]) -> None:
        for member in members:
            self.add_product(member)
        self._groups[code] = (ProductGroup(code, name, unit), [m.product_id for m in members])

    def add_brand(self, code: str, routing_policy: str, acceptance_hours: int) -> None:
        self._brands[code] = BrandTerms(code, routing_policy, acceptance_hours)

    # -- CatalogClient -----------------------------------------------------------------

    def price(self, lines: list[dict], on: date, brand_code: str | None = None) -> Pricing:
        self.calls.append("price")
        self._reachable()
        if brand_code and brand_code not in self._brands:
            raise UnknownBrand(brand_code)
        terms = self._brands.get(brand_code) if brand_code and self.sends_brand_terms else None
        return Pricing(lines=tuple(self._line(line, on, brand_code) for line in lines), brand=terms)

    def brand_terms(self, code: str) -> BrandTerms:
        self.calls.append("brand_terms")
        self._reachable()
        if code not in self._brands:
            raise UnknownBrand(code)
        return self._brands[code]

    # -- as catalog answers ------------------------------------------------------------

    def _reachable(self) -> None:
        if self.down:
            raise UpstreamUnavailable("catalog is down (fake)")

    def _line(self, line: dict, on: date, brand_code: str | None) -> PricedLine:
        if line.get("group_code"):
            found = self._groups.get(line["group_code"])
            if found is None:
                return RefusedLine("group_not_found", "등록되지 않은 상품군입니다.")
            group, members = found
            return PricedGroup(
                group, tuple(self._as_priced(self._products[m], brand_code) for m in members)
            )
        product = self._products.get(line.get("product_id"))
        if product is None:
            return RefusedLine("product_not_found", "등록되지 않은 상품입니다.")
        if line["quantity"] < product.min_order_qty:
            return RefusedLine(
                "below_minimum_order", f"최소 주문 수량은 {product.min_order_qty}개입니다."
            )
        priced = self._as_priced(product, brand_code)
        if brand_code and not _carries(priced, on):
            return RefusedLine(
                "not_listed_under_brand", f"이 브랜드({brand_code})에 등록된 상품이 아닙니다."
            )
        return PricedProduct(priced)

    @staticmethod
    def _as_priced(product: Snapshot, brand_code: str | None) -> Snapshot:
        """catalog attaches only the asked brand's listing."""
        listing = product.listing
        if listing is not None and listing.brand_code != brand_code:
            listing = None
        return dataclasses.replace(product, listing=listing)


def _carries(product: Snapshot, on: date) -> bool:
    listing = product.listing
    return (
        product.certified
        and listing is not None
        and listing.status == "approved"
        and (listing.valid_until is None or listing.valid_until >= on)
    )
