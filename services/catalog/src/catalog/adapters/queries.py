"""SQL fragments shared by search, pricing and brand reads (same rules everywhere)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.sql.elements import ColumnElement

from catalog.adapters.models import BrandListing, Certification, Product


def certified_on(enterprise_id: ColumnElement, on: date) -> ColumnElement[bool]:
    """The enterprise holds a certification valid on `on` (inclusive at both ends)."""
    return exists(
        select(Certification.id).where(
            Certification.enterprise_id == enterprise_id,
            Certification.valid_from <= on,
            Certification.valid_to >= on,
        )
    )


def carries_brand(brand_code: str, on: date) -> ColumnElement[bool]:
    """catalog.domain.brand.carries_brand as SQL, for the product in the outer query."""
    return and_(
        exists(
            select(BrandListing.id).where(
                BrandListing.product_id == Product.id,
                BrandListing.brand_code == brand_code,
                BrandListing.status == "approved",
                BrandListing.valid_until >= on,
            )
        ),
        certified_on(Product.enterprise_id, on),
    )
