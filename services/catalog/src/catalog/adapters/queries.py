"""SQL fragments shared by search, pricing and brand reads (same rules everywhere)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Text,
    and_,
    any_,
    cast,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from catalog.adapters.models import BrandListing, Certification, Product, ProductSearch
from catalog.domain.search_text import term_grams

_FTS = table("product_search_fts", column("rowid"))


def holds_grams(term: str, dialect: str) -> ColumnElement[bool]:
    """The product's gram index holds every gram of `term` (a necessary condition for
    `search_text` to contain it; the caller's LIKE decides).

    PostgreSQL: `product.id = ANY((SELECT array_agg(product_id) … WHERE grams @> ARRAY[…]))`,
    an InitPlan on the GIN index whose ids are then read by primary key: written as a join,
    the planner (which guesses `LIKE '%…%'` matches well under 1 % of rows) scans every
    product instead. SQLite: an FTS5 MATCH of the grams, ANDed, each a quoted token."""
    wanted = term_grams(term)
    if dialect == "postgresql":
        hit = ProductSearch.grams.op("@>")(cast(postgresql.array(wanted), postgresql.ARRAY(Text)))
        ids = select(func.array_agg(ProductSearch.product_id)).where(hit).scalar_subquery()
        return Product.id == any_(cast(ids, postgresql.ARRAY(Text)))
    fts = literal_column(_FTS.name).op("MATCH")(" AND ".join(f'"{g}"' for g in wanted))
    hit = ProductSearch.id.in_(select(_FTS.c.rowid).where(fts))
    return Product.id.in_(select(ProductSearch.product_id).where(hit))


def gram_settings(dialect: str) -> tuple[str, ...]:
    """Statements a search through the gram index runs first, in its read transaction.
    PostgreSQL's default `random_page_cost` (4, for spinning disks) makes a sequential scan
    of `product_search` look cheaper than its GIN index for a common pair such as 김치 (14 %
    of products), although checking each row's array costs ~15× the index; the catalogue is
    served from memory, where a random page costs about what a sequential one does."""
    return ("SET LOCAL random_page_cost = 1.1",) if dialect == "postgresql" else ()


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
