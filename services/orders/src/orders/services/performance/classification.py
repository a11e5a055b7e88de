"""Recording which 우선구매 categories each supplier-order line counts under, when the
supplier order is created (placement, re-routing), so a report only aggregates.

A line's categories come from the enterprise type and certification it snapshotted at
placement and the category lists as they stand then; categories overlap, so a line may
carry several. Three tables hold the result (`adapters/performance_models.py`): one row
per line and category (the evidence), one per supplier order and category (the union of
its lines': what the report groups by, with an index per category) and one per supplier
order with the type it counted as.

Editing a local category later does not rewrite what was recorded (a report already
filed must not change by itself): `reclassify` recomputes one category over a period
when an administrator asks for it (`POST /v1/priority-categories/{code}/reclassify`).
Plain functions in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gachi_kit.db import insert_or_ignore, insert_rows
from orders.adapters.models import SupplierOrder, SupplierOrderLine
from orders.adapters.performance_models import (
    ClassifiedSupplierOrder,
    SupplierOrderCategory,
    SupplierOrderLineCategory,
)
from orders.domain.categories import Category, categories_for
from orders.services.performance.categories import all_categories

BATCH = 2000
# (supplier order id, line id, enterprise type, certified) as the line snapshotted them
LineSnapshot = tuple[str, str, str, bool]


def classify_supplier_orders(session: Session, supplier_orders: Iterable[SupplierOrder]) -> None:
    """Record the categories of supplier orders just created (written, with their lines):
    nothing is recorded for them yet, so the rows are plain inserts."""
    snapshots = [
        (so.id, line.id, line.enterprise_type, line.certified)
        for so in supplier_orders
        for line in so.lines
    ]
    record(session, snapshots, all_categories(session), new=True)


def record(
    session: Session,
    snapshots: Sequence[LineSnapshot],
    categories: list[Category],
    *,
    new: bool = False,
) -> None:
    """Write the three kinds of rows for these lines (already recorded ones are kept;
    `new`: none can be, the supplier orders were created in this transaction)."""
    per_line, per_order, types = [], {}, {}
    for so_id, line_id, enterprise_type, certified in snapshots:
        types.setdefault(so_id, (enterprise_type, certified))
        for code in categories_for(enterprise_type, certified, categories):
            per_line.append(
                {
                    "supplier_order_line_id": line_id,
                    "category_code": code,
                    "supplier_order_id": so_id,
                }
            )
            per_order[(so_id, code)] = {"supplier_order_id": so_id, "category_code": code}
    marks = [
        {"supplier_order_id": so_id, "enterprise_type": kind, "certified": certified}
        for so_id, (kind, certified) in types.items()
    ]
    write = insert_rows if new else insert_or_ignore
    for model, rows in (
        (SupplierOrderLineCategory, per_line),
        (SupplierOrderCategory, list(per_order.values())),
        (ClassifiedSupplierOrder, marks),
    ):
        for start in range(0, len(rows), BATCH):
            write(session, model, rows[start : start + BATCH])


def classify_pending(session: Session) -> int:
    """Record supplier orders that have no record yet (written by code that does not call
    `classify_supplier_orders`, or before it existed); the daily task sweeps with it.
    Returns how many."""
    categories = all_categories(session)
    done = 0
    while True:
        pending = list(
            session.scalars(
                select(SupplierOrder.id)
                .outerjoin(
                    ClassifiedSupplierOrder,
                    ClassifiedSupplierOrder.supplier_order_id == SupplierOrder.id,
                )
                .where(ClassifiedSupplierOrder.supplier_order_id.is_(None))
                .limit(BATCH)
            )
        )
        if not pending:
            return done
        snapshots = _line_snapshots(session, pending)
        record(session, snapshots, categories)
        lineless = set(pending) - {so_id for so_id, *_ in snapshots}
        insert_or_ignore(
            session,
            ClassifiedSupplierOrder,
            [{"supplier_order_id": i, "enterprise_type": "", "certified": False} for i in lineless],
        )
        done += len(pending)


def reclassify(session: Session, code: str, since: datetime) -> int:
    """Recompute one category for supplier orders created from `since` on, with its list
    as it stands now; returns how many supplier orders count under it afterwards."""
    [category] = [c for c in all_categories(session) if c.code == code]
    for model in (SupplierOrderLineCategory, SupplierOrderCategory):
        session.execute(
            delete(model)
            .where(
                model.category_code == code,
                model.supplier_order_id.in_(
                    select(SupplierOrder.id).where(SupplierOrder.created_at >= since)
                ),
            )
            .execution_options(synchronize_session=False)
        )
    counted, after = 0, ""
    while True:
        ids = list(
            session.scalars(
                select(SupplierOrder.id)
                .where(SupplierOrder.created_at >= since, SupplierOrder.id > after)
                .order_by(SupplierOrder.id)
                .limit(BATCH)
            )
        )
        if not ids:
            return counted
        snapshots = _line_snapshots(session, ids)
        record(session, snapshots, [category])
        counted += len({so_id for so_id, _, kind, cert in snapshots if category.admits(kind, cert)})
        after = ids[-1]


def _line_snapshots(session: Session, supplier_order_ids: list[str]) -> list[LineSnapshot]:
    return [
        tuple(row)
        for row in session.execute(
            select(
                SupplierOrderLine.supplier_order_id,
                SupplierOrderLine.id,
                SupplierOrderLine.enterprise_type,
                SupplierOrderLine.certified,
            ).where(SupplierOrderLine.supplier_order_id.in_(supplier_order_ids))
        )
    ]
