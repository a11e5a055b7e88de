"""Use cases: product groups (standard items several enterprises supply) and their suppliers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import Brand, Product, ProductGroup
from catalog.services.indexing import reindex_products
from catalog.services.pricing import unknown_brand
from catalog.services.rows import RowWith
from catalog.services.snapshots import (
    listings_for,
    products_in_groups,
    snapshot,
    supplier_filters,
)
from catalog.wiring import Catalog
from gachi_kit.errors import Problem, not_found


def list_groups(catalog: Catalog) -> dict:
    with catalog.db.reading() as session:
        groups = session.scalars(select(ProductGroup).order_by(ProductGroup.code)).all()
        counts = dict(
            session.execute(
                select(Product.group_code, func.count())
                .where(Product.group_code.is_not(None), *supplier_filters())
                .group_by(Product.group_code)
            ).all()
        )
    return {"items": [RowWith(group, supplier_count=counts.get(group.code, 0)) for group in groups]}


def get_group(catalog: Catalog, code: str) -> RowWith:
    with catalog.db.reading() as session:
        group = session.get(ProductGroup, code)
        if group is None:
            raise _not_found()
        count = session.scalar(
            select(func.count()).where(Product.group_code == code, *supplier_filters())
        )
    return RowWith(group, supplier_count=count or 0)


def create_group(catalog: Catalog, fields: dict) -> RowWith:
    try:
        with catalog.db.transaction() as session:
            if session.get(ProductGroup, fields["code"]) is not None:
                raise _exists()
            group = ProductGroup(**fields)
            session.add(group)
    except IntegrityError as exc:
        raise _exists() from exc
    return RowWith(group, supplier_count=0)


def update_group(catalog: Catalog, code: str, fields: dict) -> RowWith:
    with catalog.db.transaction() as session:
        group = session.get(ProductGroup, code, with_for_update=True)
        if group is None:
            raise _not_found()
        renamed = "name" in fields and fields["name"] != group.name
        for field, value in fields.items():
            setattr(group, field, value)
        if renamed:
            session.flush()
            reindex_products(session, Product.group_code == code)
    return get_group(catalog, code)


def delete_group(catalog: Catalog, code: str) -> None:
    with catalog.db.transaction() as session:
        group = session.get(ProductGroup, code, with_for_update=True)
        if group is None:
            raise _not_found()
        used = session.scalar(select(func.count()).where(Product.group_code == code))
        if used:
            raise Problem(
                409,
                "product_group_in_use",
                "상품이 속한 상품군은 지울 수 없습니다",
                f"이 상품군에 속한 상품이 {used}개 있습니다. 먼저 상품의 상품군을 바꿔 주세요.",
            )
        session.delete(group)


def candidates(catalog: Catalog, code: str, on: date, brand_code: str | None) -> dict:
    """Every active product of an active enterprise in the group, whatever its
    certification, listing or capacity: orders decides eligibility and explains it."""
    with catalog.db.reading() as session:
        group = session.get(ProductGroup, code)
        if group is None:
            raise _not_found()
        if brand_code is not None and session.get(Brand, brand_code) is None:
            raise unknown_brand("brand")
        products = products_in_groups(session, [code])
        listings = listings_for(session, brand_code, [p.id for p in products])
        items = [snapshot(p, on, brand_code, listings.get(p.id)) for p in products]
    return {
        "group": group,
        "on_date": on,
        "brand_code": brand_code,
        "candidates": items,
    }


def _not_found() -> Problem:
    return not_found("group", "상품군")


def _exists() -> Problem:
    return Problem(409, "product_group_exists", "이미 있는 상품군 코드입니다")
