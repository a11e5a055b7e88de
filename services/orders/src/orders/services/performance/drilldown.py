"""Use case: the evidence behind a figure — the supplier orders (with their lines) and the
off-platform purchases it sums, under the same filters as the report, page by page.

Platform entries come first (by supplier order id), then off-platform ones (by id); `sum`
is over every page, so a caller can check it against the figure they clicked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from gachi_kit.auth import Principal
from gachi_kit.paging import decode_cursor, encode_cursor, fingerprint
from orders.adapters.models import Order, SupplierOrder, SupplierOrderLine
from orders.adapters.performance_models import (
    ClassifiedSupplierOrder,
    OffPlatformPurchase,
    SupplierOrderLineCategory,
)
from orders.domain.performance import EVIDENCE, counted_amount, korean_day
from orders.services.allocation import billable_quantity
from orders.services.performance.figures import (
    OFF_PLATFORM,
    PLATFORM,
    Filters,
    basis_column,
    counted_facts,
    evidence_date,
    off_platform_purchases,
    platform_query,
)
from orders.services.performance.report import grouped
from orders.services.performance.settings import resolve_scope
from orders.services.performance.targets import check_fiscal_year
from orders.wiring import OrdersWiring

SORT = "source,id:asc"
FILTER_KEYS = ("category", "enterprise_type", "enterprise_id", "month", "source")


def filters_from(query: dict, department: str | None) -> Filters:
    return Filters(
        fiscal_year=query["fiscal_year"],
        department=department,
        **{key: query.get(key) for key in FILTER_KEYS},
    )


def list_entries(wiring: OrdersWiring, actor: Principal, institution_id: str, query: dict) -> dict:
    check_fiscal_year(query["fiscal_year"])
    with wiring.db.reading() as session:
        scope = resolve_scope(session, actor, institution_id, query.get("department"))
        filters = filters_from(query, scope.department)
        basis, kind = scope.settings.basis, scope.settings.amount_kind
        fp = fingerprint({**query, "department": scope.department})
        after = (
            decode_cursor(query["cursor"], SORT, fp, (str, str)) if query.get("cursor") else None
        )
        limit = query["limit"]
        items = list(_entries(session, institution_id, basis, kind, filters, after, limit + 1))
        facts = counted_facts(session, institution_id, basis, filters)
    more = len(items) > limit
    items = items[:limit]
    next_cursor = encode_cursor(SORT, [items[-1]["source"], items[-1]["id"]], fp) if more else None
    return {
        "settings": {"basis": basis, "amount_kind": kind},
        "sum": grouped(facts, lambda f: "all")["all"].view(kind),
        "items": items,
        "next_cursor": next_cursor,
    }


def all_entries(
    session: Session, institution_id: str, basis: str, kind: str, filters: Filters, batch: int = 500
) -> Iterator[dict]:
    """Every entry under `filters`, a batch at a time (exports)."""
    after = None
    while True:
        page = list(_entries(session, institution_id, basis, kind, filters, after, batch))
        yield from page
        if len(page) < batch:
            return
        after = [page[-1]["source"], page[-1]["id"]]


def _entries(
    session: Session,
    institution_id: str,
    basis: str,
    kind: str,
    filters: Filters,
    after: list | None,
    wanted: int,
) -> Iterator[dict]:
    source_after, id_after = after or (PLATFORM, "")
    produced = 0
    if filters.source in (None, PLATFORM) and source_after == PLATFORM:
        ids = list(
            session.scalars(
                platform_query(institution_id, basis, filters, SupplierOrder.id)
                .where(SupplierOrder.id > id_after)
                .order_by(SupplierOrder.id)
                .limit(wanted)
            )
        )
        for entry in platform_entries(session, ids, basis, kind):
            produced += 1
            yield entry
        id_after = ""
    if produced >= wanted or filters.source == PLATFORM:
        return
    purchases = off_platform_purchases(session, institution_id, basis, filters)
    for purchase in [p for p in purchases if p.id > id_after][: wanted - produced]:
        yield off_platform_entry(purchase, basis, kind)


def platform_entries(session: Session, ids: list[str], basis: str, kind: str) -> list[dict]:
    """The supplier orders `ids` with their lines, read as plain rows (three queries, no
    ORM objects: exports read 100,000 supplier orders through here)."""
    if not ids:
        return []
    moment = basis_column(basis)
    rows = session.execute(
        select(
            SupplierOrder.id,
            SupplierOrder.order_id,
            Order.department,
            SupplierOrder.enterprise_id,
            SupplierOrder.enterprise_name,
            SupplierOrder.status,
            SupplierOrder.supply_amount,
            SupplierOrder.vat_amount,
            SupplierOrder.total_amount,
            moment.label("moment"),
            SupplierOrderLine.id.label("line_id"),
            SupplierOrderLine.line_no,
            SupplierOrderLine.name,
            SupplierOrderLine.unit,
            SupplierOrderLine.unit_price,
            SupplierOrderLine.tax_type,
            SupplierOrderLine.quantity,
            SupplierOrderLine.cancelled,
            SupplierOrderLine.accepted_quantity,
            SupplierOrderLine.inspected_accepted_quantity,
            SupplierOrderLine.inspected_rejected_quantity,
        )
        .join(Order, Order.id == SupplierOrder.order_id)
        .join(SupplierOrderLine, SupplierOrderLine.supplier_order_id == SupplierOrder.id)
        .where(SupplierOrder.id.in_(ids))
        .order_by(SupplierOrder.id, SupplierOrderLine.line_no)
    ).all()
    line_categories = defaultdict(list)
    for line_id, code in session.execute(
        select(
            SupplierOrderLineCategory.supplier_order_line_id,
            SupplierOrderLineCategory.category_code,
        )
        .where(SupplierOrderLineCategory.supplier_order_id.in_(ids))
        .order_by(SupplierOrderLineCategory.category_code)
    ):
        line_categories[line_id].append(code)
    types = dict(
        session.execute(
            select(
                ClassifiedSupplierOrder.supplier_order_id, ClassifiedSupplierOrder.enterprise_type
            ).where(ClassifiedSupplierOrder.supplier_order_id.in_(ids))
        ).all()
    )
    entries: list[dict] = []
    for row in rows:
        if not entries or entries[-1]["id"] != row.id:
            entries.append(_platform_entry(row, types.get(row.id), basis, kind))
        counted = billable_quantity(row)
        entries[-1]["lines"].append(
            {
                "line_no": row.line_no,
                "name": row.name,
                "unit": row.unit,
                "unit_price": row.unit_price,
                "tax_type": row.tax_type,
                "ordered_quantity": row.quantity,
                "counted_quantity": counted,
                "rejected_quantity": row.inspected_rejected_quantity or 0,
                "cancelled": row.cancelled,
                "supply": counted * row.unit_price,
                "categories": line_categories[row.line_id],
            }
        )
    for entry in entries:
        entry["categories"] = sorted({c for line in entry["lines"] for c in line["categories"]})
    return entries


def _platform_entry(row, enterprise_type: str | None, basis: str, kind: str) -> dict:
    return {
        "source": PLATFORM,
        "off_platform": False,
        "id": row.id,
        "order_id": row.order_id,
        "department": row.department,
        "enterprise_id": row.enterprise_id,
        "enterprise_name": row.enterprise_name,
        "enterprise_type": enterprise_type,
        "counted_on": korean_day(row.moment).isoformat(),
        "evidence": basis,
        "evidence_label": EVIDENCE[basis],
        "evidence_reference": None,
        "status": row.status,
        "supply": row.supply_amount,
        "vat": row.vat_amount,
        "total": row.total_amount,
        "counted": counted_amount(row.supply_amount, row.total_amount, kind),
        "categories": [],
        "lines": [],
    }


def off_platform_entry(purchase: OffPlatformPurchase, basis: str, kind: str) -> dict:
    day, evidence = evidence_date(purchase, basis)
    return {
        "source": OFF_PLATFORM,
        "off_platform": True,
        "id": purchase.id,
        "order_id": None,
        "department": purchase.department,
        "enterprise_id": purchase.enterprise_id,
        "enterprise_name": purchase.enterprise_name,
        "enterprise_type": purchase.enterprise_type,
        "counted_on": day.isoformat(),
        "evidence": evidence,
        "evidence_label": EVIDENCE[evidence],
        "evidence_reference": purchase.evidence_reference,
        "channel": purchase.channel,
        "status": None,
        "supply": purchase.supply_amount,
        "vat": purchase.vat_amount,
        "total": purchase.total_amount,
        "counted": counted_amount(purchase.supply_amount, purchase.total_amount, kind),
        "categories": purchase.category_codes,
        "lines": [{"line_no": 1, "name": purchase.item_name, "supply": purchase.supply_amount}],
    }
