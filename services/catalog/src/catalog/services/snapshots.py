"""The pricing snapshot: what orders keeps of a product at the moment it priced it.

The shape is a contract with orders (see POST /v1/pricing in docs/architecture.md): fields
are only ever added, never renamed or removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from catalog.adapters.models import BrandListing, Enterprise, Product
from catalog.domain.brand import carries_brand, effective_listing_status
from catalog.domain.enterprise import CertificationPeriod, certification_on
from catalog.services.rows import RowWith


def supplier_filters():
    """Active products of active enterprises: who can supply a group at all (the group's
    candidates, its supplier count, and what pricing offers for a group line)."""
    return (
        Product.status == "active",
        Product.enterprise_id.in_(select(Enterprise.id).where(Enterprise.status == "active")),
    )


# Built once (an option is immutable; building it was a tenth of a pricing request). The
# enterprise comes in the products' own query, its certifications in a second one.
_WITH_ENTERPRISE = joinedload(Product.enterprise, innerjoin=True).selectinload(
    Enterprise.certifications
)


def load_products(session: Session, *conditions) -> list[Product]:
    """Products matching `conditions`, with their enterprise and its certifications."""
    return list(
        session.scalars(
            select(Product).where(*conditions).options(_WITH_ENTERPRISE).order_by(Product.id)
        )
    )


def listings_for(
    session: Session, brand_code: str | None, product_ids: Iterable[str]
) -> dict[str, BrandListing]:
    ids = list(set(product_ids))
    if not brand_code or not ids:
        return {}
    found: dict[str, BrandListing] = {}
    for start in range(0, len(ids), 500):
        for listing in session.scalars(
            select(BrandListing).where(
                BrandListing.brand_code == brand_code,
                BrandListing.product_id.in_(ids[start : start + 500]),
            )
        ):
            found[listing.product_id] = listing
    return found


def certification(product: Product, on: date) -> CertificationPeriod | None:
    return certification_on(
        [
            CertificationPeriod(c.kind, c.number, c.valid_from, c.valid_to)
            for c in product.enterprise.certifications
        ],
        on,
    )


def carries(listing: BrandListing | None, product: Product, on: date) -> bool:
    if listing is None:
        return False
    return carries_brand(
        listing.status, listing.valid_until, on, certified=certification(product, on) is not None
    )


def snapshot(
    product: Product, on: date, brand_code: str | None, listing: BrandListing | None
) -> RowWith:
    """The product as orders keeps it (api/schemas/pricing.Snapshot dumps it): with whether
    its enterprise is certified on `on` and by what, and its listing under `brand_code`."""
    valid = certification(product, on)
    shown = None
    if brand_code is not None and listing is not None:
        status = effective_listing_status(listing.status, listing.valid_until, on)
        shown = RowWith(listing, status=status)
    return RowWith(product, certified=valid is not None, certification=valid, listing=shown)
