"""Keeps the normalised search columns in step with every write (see domain/search_index.py).

Called inside the writing use case's transaction, so a product is never visible with a
stale index: a rename of the product, its enterprise or its group rewrites the columns, and
the product's gram index row (`product_search`), in the same commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.adapters.models import Enterprise, Product, ProductGroup, ProductSearch
from catalog.domain.search_index import (
    enterprise_search_text,
    product_search_name,
    product_search_text,
)
from catalog.domain.search_text import grams
from catalog.services.categories import known


def index_product(
    product: Product, *, enterprise_name: str, category_label: str, group_name: str | None
) -> None:
    product.search_text = product_search_text(
        name=product.name,
        enterprise_name=enterprise_name,
        sku=product.sku,
        category_label=category_label,
        group_name=group_name,
        tags=product.tags or [],
        description=product.description or "",
    )
    product.search_name = product_search_name(product.name)
    new = grams(product.search_text)
    if product.search_index is None:
        product.search_index = ProductSearch(grams=new)
    elif product.search_index.grams != new:
        product.search_index.grams = new


def search_row(product: dict) -> dict:
    """The `product_search` row of a product row about to be bulk-inserted (seed, benchmark),
    where no Product object passes through `index_product`."""
    return {"product_id": product["id"], "grams": grams(product["search_text"])}


def index_enterprise(enterprise: Enterprise) -> None:
    enterprise.search_text = enterprise_search_text(enterprise.name, enterprise.representative)


def reindex_products(session: Session, *conditions) -> int:
    """Recompute the columns of the products matching `conditions` (e.g. one enterprise's)."""
    labels = known(session)
    groups = dict(session.execute(select(ProductGroup.code, ProductGroup.name)).all())
    rows = session.execute(
        select(Product, Enterprise.name).join(Enterprise).where(*conditions)
    ).all()
    count = 0
    for product, enterprise_name in rows:
        index_product(
            product,
            enterprise_name=enterprise_name,
            category_label=labels.get(product.category, product.category),
            group_name=groups.get(product.group_code) if product.group_code else None,
        )
        count += 1
    return count
