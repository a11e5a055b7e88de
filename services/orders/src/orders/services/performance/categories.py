"""Use cases: 우선구매 categories (seeded national ones, editable local ones). Which
categories each supplier-order line counts under is recorded by `classification`."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from gachi_kit.dates import KST
from gachi_kit.db import insert_or_ignore
from gachi_kit.errors import Problem, invalid, not_found
from orders.adapters.performance_models import PriorityCategory
from orders.domain.categories import ENTERPRISE_TYPE_LABELS, SEED, Category, Member
from orders.wiring import OrdersWiring


def as_row(category: Category) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "scope": category.scope,
        "legal_basis": category.legal_basis,
        "receiving_body": category.receiving_body,
        "due_month": category.due_month,
        "due_day": category.due_day,
        "has_numeric_target": category.has_numeric_target,
        "note": category.note,
        "sigungu_code": category.sigungu_code,
        "members": [
            {"enterprise_type": m.enterprise_type, "certified_only": m.certified_only}
            for m in category.members
        ],
    }


def as_category(row) -> Category:
    """A PriorityCategory, or a row of its table, as the domain's Category."""
    return Category(
        code=row.code,
        name=row.name,
        scope=row.scope,
        legal_basis=row.legal_basis,
        receiving_body=row.receiving_body,
        due_month=row.due_month,
        due_day=row.due_day,
        has_numeric_target=row.has_numeric_target,
        note=row.note,
        sigungu_code=row.sigungu_code,
        members=tuple(Member(m["enterprise_type"], bool(m["certified_only"])) for m in row.members),
    )


def ensure_seeded(session: Session) -> None:
    """The shipped categories, added where missing (an administrator's edits are kept)."""
    insert_or_ignore(session, PriorityCategory, [as_row(c) for c in SEED])


# Read for every placed order: built once (a statement keeps its cache key).
_ALL = select(PriorityCategory.__table__).order_by(PriorityCategory.__table__.c.code)


def all_categories(session: Session) -> list[Category]:
    """Read for every placed order (classification): plain rows of the table, no ORM
    objects (the session still autoflushes first, so an edit in this transaction shows)."""
    return [as_category(row) for row in session.execute(_ALL)]


def list_categories(wiring: OrdersWiring) -> list[dict]:
    with wiring.db.reading() as session:
        return [category_view(c) for c in all_categories(session)]


def category_view(category: Category) -> dict:
    row = as_row(category)
    row["scope_label"] = "국가" if category.scope == "national" else "지역"
    row["due"] = _due_text(category)
    for member in row["members"]:
        member["label"] = ENTERPRISE_TYPE_LABELS[member["enterprise_type"]]
    return row


def save_local(wiring: OrdersWiring, code: str, fields: dict) -> dict:
    """Create or replace a local category (platform admins); national ones are fixed."""
    members = fields["members"]
    unknown = [
        m["enterprise_type"] for m in members if m["enterprise_type"] not in ENTERPRISE_TYPE_LABELS
    ]
    if unknown:
        raise invalid("members", f"알 수 없는 기업 유형입니다: {', '.join(unknown)}")
    with wiring.db.transaction() as session:
        row = session.get(PriorityCategory, code)
        if row is not None and row.scope != "local":
            raise Problem(
                409, "category_national", "국가 범주는 바꿀 수 없습니다", "법이 정한 범주입니다."
            )
        if row is None:
            row = PriorityCategory(code=code, scope="local")
            session.add(row)
        for name, value in fields.items():
            setattr(row, name, value)
        session.flush()
        category = as_category(row)
    return category_view(category)


def reclassify_category(wiring: OrdersWiring, code: str, since: date) -> int:
    """Recompute one category's recorded lines placed from `since` (a KST day) on, with
    its list as it stands now: an administrator's explicit choice after an ordinance
    changed (editing a category alone never rewrites history). Returns how many supplier
    orders count under it from that day."""
    from orders.services.performance.classification import reclassify

    with wiring.db.transaction() as session:
        require_category(session, code)
        return reclassify(session, code, datetime.combine(since, time(), tzinfo=KST))


def known_codes(session: Session, codes: set[str]) -> None:
    """422 unless every code names a category."""
    have = set(session.scalars(select(PriorityCategory.code)))
    missing = sorted(codes - have)
    if missing:
        raise invalid("category", f"없는 범주입니다: {', '.join(missing)}")


def require_category(session: Session, code: str) -> PriorityCategory:
    row = session.get(PriorityCategory, code)
    if row is None:
        raise not_found("category", "범주")
    return row


def _due_text(category: Category) -> str | None:
    if category.due_month is None:
        return None
    day = "말일" if category.due_day is None else f"{category.due_day}일"
    return f"매년 {category.due_month}월 {day}"
