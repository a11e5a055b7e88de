"""SQL fragments shared by search, pricing and brand reads (same rules everywhere)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Text, and_, cast, column, exists, literal_column, select, table
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from catalog.adapters.models import BrandListing, Certification, Product, ProductSearch
from catalog.domain.search_text import term_grams

_FTS = table("product_search_fts", column("rowid"))


def holds_grams(term: str, dialect: str) -> ColumnElement[bool]:
    """The product's gram index holds every gram of `term` (a necessary condition for
    `search_text` to contain it; the caller's LIKE decides). PostgreSQL: `grams @> ARRAY[…]`
    on the GIN index; SQLite: an FTS5 MATCH of the grams, ANDed, each a quoted token."""
    wanted = term_grams(term)
    if dialect == "postgresql":
        hit = ProductSearch.grams.op("@>")(cast(postgresql.array(wanted), postgresql.ARRAY(Text)))
    else:
        fts = literal_column(_FTS.name).op("MATCH")(" AND ".join(f'"{g}"' for g in wanted))
        hit = ProductSearch.id.in_(select(_FTS.c.rowid).where(fts))
    return Product.id.in_(select(ProductSearch.product_id).where(hit))


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
