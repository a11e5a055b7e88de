"""Use cases: product groups (standard items several enterprises supply) and their suppliers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import Brand, Product, ProductGroup
from catalog.services.indexing import reindex_products
from catalog.services.pricing import unknown_brand
from catalog.services.snapshots import listings_for, load_products, snapshot, supplier_filters
from catalog.wiring import Catalog
from gachi_kit.errors import Problem


def list_groups(cat: Catalog) -> dict:
    with cat.db.reading() as session:
        groups = session.scalars(select(ProductGroup).order_by(ProductGroup.code)).all()
        counts = dict(
            session.execute(
                select(Product.group_code, func.count())
                .where(Product.group_code.is_not(None), *supplier_filters())
                .group_by(Product.group_code)
            ).all()
        )
    return {"items": [group_view(g, counts.get(g.code, 0)) for g in groups]}


def get_group(cat: Catalog, code: str) -> dict:
    with cat.db.reading() as session:
        group = session.get(ProductGroup, code)
        if group is None:
            raise _not_found()
        count = session.scalar(
            select(func.count()).where(Product.group_code == code, *supplier_filters())
        )
    return group_view(group, count or 0)


def create_group(cat: Catalog, fields: dict) -> dict:
    try:
        with cat.db.transaction() as session:
            if session.get(ProductGroup, fields["code"]) is not None:
                raise _exists()
            group = ProductGroup(**fields)
            session.add(group)
    except IntegrityError as exc:
        raise _exists() from exc
    return group_view(group, 0)


def update_group(cat: Catalog, code: str, fields: dict) -> dict:
    with cat.db.transaction() as session:
        group = session.get(ProductGroup, code, with_for_update=True)
        if group is None:
            raise _not_found()
        renamed = "name" in fields and fields["name"] != group.name
        for field, value in fields.items():
            setattr(group, field, value)
        if renamed:
            session.flush()
            reindex_products(session, Product.group_code == code)
    return get_group(cat, code)


def delete_group(cat: Catalog, code: str) -> None:
    with cat.db.transaction() as session:
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


def candidates(cat: Catalog, code: str, on: date, brand_code: str | None) -> dict:
    """Every active product of an active enterprise in the group, whatever its
    certification, listing or capacity: orders decides eligibility and explains it."""
    with cat.db.reading() as session:
        group = session.get(ProductGroup, code)
        if group is None:
            raise _not_found()
        if brand_code is not None and session.get(Brand, brand_code) is None:
            raise unknown_brand("brand")
        products = load_products(session, Product.group_code == code, *supplier_filters())
        listings = listings_for(session, brand_code, [p.id for p in products])
        items = [snapshot(p, on, brand_code, listings.get(p.id)) for p in products]
    return {
        "group": {"code": group.code, "name": group.name, "unit": group.unit},
        "on_date": on,
        "brand_code": brand_code,
        "candidates": items,
    }


def group_view(group: ProductGroup, supplier_count: int) -> dict:
    return {
        "code": group.code,
        "name": group.name,
        "unit": group.unit,
        "description": group.description,
        "supplier_count": supplier_count,
        "created_at": group.created_at,
        "updated_at": group.updated_at,
    }


def _not_found() -> Problem:
    return Problem(404, "group_not_found", "상품군을 찾을 수 없습니다")


def _exists() -> Problem:
    return Problem(409, "product_group_exists", "이미 있는 상품군 코드입니다")
