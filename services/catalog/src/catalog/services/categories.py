"""Use cases: the managed list of product categories."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.adapters.models import Category
from catalog.domain.product import CATEGORIES
from catalog.wiring import Catalog
from gachi_kit.errors import Problem, invalid


def known(session: Session) -> dict[str, str]:
    """code -> Korean label: every row of the managed list (the built-ins are rows too)."""
    return dict(session.execute(select(Category.code, Category.label)).all())


def list_categories(catalog: Catalog) -> list[Category]:
    with catalog.db.reading() as session:
        rows = session.scalars(select(Category).order_by(Category.sort_order, Category.code)).all()
    return rows


def create_category(catalog: Catalog, fields: dict) -> Category:
    try:
        return _create(catalog, fields)
    except IntegrityError as exc:  # a concurrent request added the same code or label
        raise Problem(409, "category_exists", "이미 있는 분류입니다") from exc


def _create(catalog: Catalog, fields: dict) -> Category:
    with catalog.db.transaction() as session:
        labels = known(session)
        if fields["code"] in labels:
            raise Problem(
                409,
                "category_exists",
                "이미 있는 분류입니다",
                f"분류 코드 {fields['code']}가 있습니다.",
            )
        if fields["label"] in labels.values():
            raise Problem(
                409,
                "category_exists",
                "이미 있는 분류입니다",
                f"분류 이름 {fields['label']}이 있습니다.",
            )
        order = fields.get("sort_order")
        if order is None:
            order = (session.scalar(select(func.max(Category.sort_order))) or 0) + 10  # last
        row = Category(code=fields["code"], label=fields["label"], sort_order=order)
        session.add(row)
    return row


def ensure_categories(session: Session) -> int:
    """The built-in categories (domain/product.py's CATEGORIES; migration 0002 adds them too,
    and an emptied table gets them back). Returns how many were missing."""
    have = set(session.scalars(select(Category.code)))
    labels = set(session.scalars(select(Category.label)))
    now = datetime.now(UTC)
    rows = [
        {"code": code, "label": label, "sort_order": (i + 1) * 10, "created_at": now}
        for i, (code, label) in enumerate(CATEGORIES.items())
        if code not in have and label not in labels
    ]
    if rows:
        session.execute(insert(Category), rows)
    return len(rows)


def unknown_category(field: str = "category") -> Problem:
    return invalid(
        field,
        "등록되지 않은 분류입니다. GET /v1/categories 에서 고를 수 있습니다.",
        code="unknown_category",
    )
