"""The facts every report is built from: counted amounts grouped by month, department,
enterprise and category, from supplier orders (aggregated in SQL) and off-platform
purchases.

What counts: a supplier order's amounts after inspection (`refresh_amounts` keeps them at
the accepted quantities: rejected quantities, cancelled lines and unfulfillable quantities
carry no amount), on the day its basis (inspection or payment) happened, in KST. Declined,
expired and cancelled supplier orders never count; an order is counted only once its basis
date is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    Integer,
    Select,
    String,
    case,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from orders.adapters.models import Order, SupplierOrder
from orders.adapters.performance_models import (
    ClassifiedSupplierOrder,
    OffPlatformPurchase,
    OffPlatformPurchaseCategory,
    SupplierOrderCategory,
)
from orders.domain import states
from orders.domain.performance import month_starts, year_bounds

PLATFORM, OFF_PLATFORM = "platform", "off_platform"
REPORT_WORK_MEM = "32MB"  # PostgreSQL's sort memory for the report's one statement
SOURCES = {PLATFORM: "플랫폼 주문", OFF_PLATFORM: "플랫폼 밖 구매"}


@dataclass(frozen=True)
class Filters:
    fiscal_year: int
    department: str | None = None
    category: str | None = None
    enterprise_type: str | None = None
    enterprise_id: str | None = None
    month: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Fact:
    """Counted amounts of one group (a category fact has `category`, no enterprise)."""

    source: str
    month: int
    department: str | None
    supply: int
    vat: int
    total: int
    count: int
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    enterprise_type: str | None = None
    category: str | None = None


def basis_column(basis: str):
    return SupplierOrder.inspected_at if basis == "inspection" else SupplierOrder.paid_at


def month_of(basis: str, year: int):
    """SQL: the KST month (1–12) of a supplier order's basis moment within `year`."""
    starts = month_starts(year)
    column = basis_column(basis)
    return case(*[(column < starts[m], m) for m in range(1, 12)], else_=12)


def platform_query(institution_id: str, basis: str, filters: Filters, *columns) -> Select:
    """SELECT `columns` FROM the counted supplier orders of one institution (filtered)."""
    start, end = year_bounds(filters.fiscal_year)
    column = basis_column(basis)
    query = (
        select(*columns)
        .select_from(SupplierOrder)
        .join(Order, Order.id == SupplierOrder.order_id)
        .where(
            Order.institution_id == institution_id,
            SupplierOrder.status.not_in(states.VOID),
            column >= start,
            column < end,
        )
    )
    if filters.month:
        starts = month_starts(filters.fiscal_year)
        query = query.where(column >= starts[filters.month - 1], column < starts[filters.month])
    if filters.department is not None:
        query = query.where(Order.department == filters.department)
    if filters.enterprise_type:
        query = query.where(
            SupplierOrder.id.in_(
                select(ClassifiedSupplierOrder.supplier_order_id).where(
                    ClassifiedSupplierOrder.enterprise_type == filters.enterprise_type
                )
            )
        )
    if filters.enterprise_id:
        query = query.where(SupplierOrder.enterprise_id == filters.enterprise_id)
    if filters.category:
        query = query.where(
            SupplierOrder.id.in_(
                select(SupplierOrderCategory.supplier_order_id).where(
                    SupplierOrderCategory.category_code == filters.category
                )
            )
        )
    return query


def _sums():
    return (
        func.coalesce(func.sum(SupplierOrder.supply_amount), 0),
        func.coalesce(func.sum(SupplierOrder.vat_amount), 0),
        func.coalesce(func.sum(SupplierOrder.total_amount), 0),
        func.count(SupplierOrder.id),
    )


def platform_facts(
    session: Session, institution_id: str, basis: str, filters: Filters
) -> list[Fact]:
    """By month and department (totals, months, departments)."""
    keys = (month_of(basis, filters.fiscal_year), Order.department)
    query = platform_query(institution_id, basis, filters, *keys, *_sums()).group_by(*keys)
    return [
        Fact(PLATFORM, m, dept, int(s), int(v), int(t), n)
        for m, dept, s, v, t, n in session.execute(query)
    ]


def platform_groupings(
    session: Session, institution_id: str, basis: str, filters: Filters
) -> Facts:
    """Every grouping the report shows, in one statement: the counted supplier orders are
    selected once (a materialized CTE: one pass over the joined tables), then grouped three
    ways — month × department, enterprise × type, month × department × category (through
    `supplier_order_category`) — and answered as one UNION ALL of a few thousand rows."""
    counted = (
        platform_query(
            institution_id,
            basis,
            filters,
            SupplierOrder.id.label("id"),
            month_of(basis, filters.fiscal_year).label("month"),
            Order.department.label("department"),
            SupplierOrder.enterprise_id.label("enterprise_id"),
            SupplierOrder.enterprise_name.label("enterprise_name"),
            SupplierOrder.supply_amount.label("supply"),
            SupplierOrder.vat_amount.label("vat"),
            SupplierOrder.total_amount.label("total"),
        )
        .cte("counted")
        .prefix_with("MATERIALIZED")
    )
    c = counted.c
    sums = (func.sum(c.supply), func.sum(c.vat), func.sum(c.total), func.count())
    varchar, integer = String(), Integer()
    no_text = _nulls(varchar, varchar, varchar)
    by_time = select(
        literal("time"), c.month, c.department, *no_text, null().cast(varchar), *sums
    ).group_by(c.month, c.department)
    kind = ClassifiedSupplierOrder.enterprise_type
    by_enterprise = (
        select(
            literal("enterprise"),
            null().cast(integer),
            null().cast(varchar),
            c.enterprise_id,
            c.enterprise_name,
            kind,
            null().cast(varchar),
            *sums,
        )
        .join(ClassifiedSupplierOrder, ClassifiedSupplierOrder.supplier_order_id == c.id)
        .group_by(c.enterprise_id, c.enterprise_name, kind)
    )
    code = SupplierOrderCategory.category_code
    by_category = (
        select(literal("category"), c.month, c.department, *no_text, code, *sums)
        .join(SupplierOrderCategory, SupplierOrderCategory.supplier_order_id == c.id)
        .group_by(c.month, c.department, code)
    )
    if session.get_bind().dialect.name == "postgresql":
        # The groupings sort the year's supplier orders (~100,000 rows for a large
        # institution): with the default 4 MB they spill to disk (EXPLAIN ANALYZE: external
        # merge, 2x the CPU). For this reading transaction only.
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    facts = Facts()
    lists = {
        "time": facts.by_time,
        "enterprise": facts.by_enterprise,
        "category": facts.by_category,
    }
    for group, month, dept, eid, ename, etype, category, s, v, t, n in session.execute(
        union_all(by_time, by_enterprise, by_category)
    ):
        lists[group].append(
            Fact(PLATFORM, month or 0, dept, int(s), int(v), int(t), n, eid, ename, etype, category)
        )
    return facts


def _nulls(*types):
    return [null().cast(t) for t in types]


def evidence_date(purchase: OffPlatformPurchase, basis: str) -> tuple[date | None, str]:
    """The day an off-platform purchase counts, and what proves it: small contracts may
    have no inspection record (검사조서 생략), then the delivery date is the evidence."""
    if basis == "payment":
        return purchase.paid_on, "payment"
    if purchase.inspected_on:
        return purchase.inspected_on, "inspection"
    return purchase.delivered_on, "delivery"


def off_platform_purchases(
    session: Session, institution_id: str, basis: str, filters: Filters
) -> list[OffPlatformPurchase]:
    if basis == "payment":
        day = OffPlatformPurchase.paid_on
    else:
        day = func.coalesce(OffPlatformPurchase.inspected_on, OffPlatformPurchase.delivered_on)
    first, last = date(filters.fiscal_year, 1, 1), date(filters.fiscal_year, 12, 31)
    query = (
        select(OffPlatformPurchase)
        .options(selectinload(OffPlatformPurchase.categories))
        .where(OffPlatformPurchase.institution_id == institution_id, day >= first, day <= last)
        .order_by(OffPlatformPurchase.id)
    )
    if filters.department is not None:
        query = query.where(OffPlatformPurchase.department == filters.department)
    if filters.enterprise_type:
        query = query.where(OffPlatformPurchase.enterprise_type == filters.enterprise_type)
    if filters.enterprise_id:
        query = query.where(OffPlatformPurchase.enterprise_id == filters.enterprise_id)
    if filters.category:
        query = query.where(
            OffPlatformPurchase.id.in_(
                select(OffPlatformPurchaseCategory.purchase_id).where(
                    OffPlatformPurchaseCategory.category_code == filters.category
                )
            )
        )
    purchases = list(session.scalars(query))
    if filters.month:
        purchases = [p for p in purchases if evidence_date(p, basis)[0].month == filters.month]
    return purchases


def off_platform_facts(
    purchases: list[OffPlatformPurchase], basis: str
) -> tuple[list[Fact], list[Fact]]:
    """(facts by enterprise, facts by category), one per purchase and category."""
    facts, by_category = [], []
    for p in purchases:
        month = evidence_date(p, basis)[0].month
        amounts = (p.supply_amount, p.vat_amount, p.total_amount, 1)
        facts.append(
            Fact(
                OFF_PLATFORM,
                month,
                p.department,
                *amounts,
                p.enterprise_id,
                p.enterprise_name,
                p.enterprise_type,
            )
        )
        by_category += [
            Fact(OFF_PLATFORM, month, p.department, *amounts, category=code)
            for code in p.category_codes
        ]
    return facts, by_category


@dataclass
class Facts:
    """The same counted amounts grouped three ways; each list sums to the same totals
    (categories overlap, so `by_category` sums per category)."""

    by_time: list[Fact] = field(default_factory=list)  # month, department
    by_enterprise: list[Fact] = field(default_factory=list)  # enterprise and its type
    by_category: list[Fact] = field(default_factory=list)  # month, department, category


def all_facts(session: Session, institution_id: str, basis: str, filters: Filters) -> Facts:
    """Every grouping the report shows, of both sources, as `filters.source` asks: one
    grouped statement over supplier orders (at most a few thousand rows, so nothing per
    supplier order reaches Python), off-platform purchases folded in."""
    facts = Facts()
    if filters.source in (None, PLATFORM):
        facts = platform_groupings(session, institution_id, basis, filters)
    if filters.source in (None, OFF_PLATFORM):
        purchases = off_platform_purchases(session, institution_id, basis, filters)
        more, more_by_category = off_platform_facts(purchases, basis)
        facts.by_time += more
        facts.by_enterprise += more
        facts.by_category += more_by_category
    return facts


def counted_facts(
    session: Session, institution_id: str, basis: str, filters: Filters
) -> list[Fact]:
    """What a figure under `filters` sums (by month and department), both sources."""
    facts: list[Fact] = []
    if filters.source in (None, PLATFORM):
        facts += platform_facts(session, institution_id, basis, filters)
    if filters.source in (None, OFF_PLATFORM):
        purchases = off_platform_purchases(session, institution_id, basis, filters)
        facts += off_platform_facts(purchases, basis)[0]
    return facts
