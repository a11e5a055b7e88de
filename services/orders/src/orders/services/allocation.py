"""Shared by placement and re-routing: the capacity ledger, routing inputs, and turning
allocations into supplier orders with their money. Always inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from gachi_kit.dates import KST
from gachi_kit.db import insert_or_ignore, new_row
from orders.adapters.models import CapacityWeek, Order, SupplierOrder, SupplierOrderLine
from orders.domain import states
from orders.domain.money import ZERO, invoice_amounts
from orders.domain.pricing import Snapshot
from orders.domain.split import PricedLine, split_by_enterprise


class CapacityLedger:
    """Reserve and release a product's weekly capacity under a row lock.

    Rows are locked in product order (no deadlocks between two orders); on SQLite the
    transaction already holds the database's write lock (BEGIN IMMEDIATE)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._locked: dict[tuple[str, date], CapacityWeek] = {}  # the rows lock() holds

    def lock(self, snapshots: Iterable[Snapshot], week: date) -> dict[str, int]:
        """Capacity left per product with a weekly capacity; others are unlimited."""
        limited = {
            s.product_id: s.weekly_capacity for s in snapshots if s.weekly_capacity is not None
        }
        if not limited:
            return {}
        insert_or_ignore(
            self.session,
            CapacityWeek,
            [
                {"product_id": p, "week_start": week, "capacity": c, "reserved": 0}
                for p, c in sorted(limited.items())
            ],
        )
        rows = self.session.scalars(
            select(CapacityWeek)
            .where(CapacityWeek.product_id.in_(limited), CapacityWeek.week_start == week)
            .order_by(CapacityWeek.product_id)
            .with_for_update()
        ).all()
        for row in rows:  # catalog's figure today is the promise
            row.capacity = limited[row.product_id]
            self._locked[(row.product_id, week)] = row
        return {row.product_id: max(row.capacity - row.reserved, 0) for row in rows}

    def reserve(self, product_id: str, week: date, quantity: int) -> None:
        """Count a reservation on the locked row; a product without a weekly capacity has
        none (and needs no query to find that out)."""
        row = self._locked.get((product_id, week))
        if row is not None:
            row.reserved += quantity

    def release(self, product_id: str, week: date, quantity: int) -> None:
        """One atomic UPDATE, so a release never loses a concurrent reservation."""
        self.session.execute(
            update(CapacityWeek)
            .where(CapacityWeek.product_id == product_id, CapacityWeek.week_start == week)
            .values(
                reserved=case(
                    (CapacityWeek.reserved > quantity, CapacityWeek.reserved - quantity), else_=0
                )
            )
            .execution_options(synchronize_session=False)
        )


def take_capacity(capacity_left: dict[str, int], product_id: str, quantity: int) -> None:
    """Count an allocation against what lock() said is left (a product without a weekly
    capacity is not in it: nothing to count)."""
    if product_id in capacity_left:
        capacity_left[product_id] -= quantity


def fiscal_year_amounts(session: Session, enterprise_ids: set[str], today: date) -> dict[str, int]:
    """KRW ordered from each enterprise since 1 January (fiscal year), for fair_share."""
    if not enterprise_ids:
        return {}
    start = datetime(today.year, 1, 1, tzinfo=KST)
    rows = session.execute(
        select(SupplierOrder.enterprise_id, func.sum(SupplierOrder.total_amount))
        .where(
            SupplierOrder.enterprise_id.in_(enterprise_ids),
            SupplierOrder.created_at >= start,
            SupplierOrder.status.not_in(states.VOID),
        )
        .group_by(SupplierOrder.enterprise_id)
    )
    return {enterprise_id: int(total or 0) for enterprise_id, total in rows}


def add_supplier_orders(
    order: Order,
    allocations: list[PricedLine],
    *,
    week: date,
    deadline: datetime,
    ledger: CapacityLedger,
    rerouted_from: str | None = None,
) -> list[SupplierOrder]:
    """Re-routing's: one new supplier order per enterprise, as ORM objects on an order it
    loaded, for these allocations (`line_no`: the order line each fills)."""
    lines = {line.line_no: line for line in order.lines}
    created = []
    for columns, line_columns in _supplier_order_columns(
        allocations, week=week, deadline=deadline, rerouted_from=rerouted_from
    ):
        supplier_order = SupplierOrder(**columns)
        order.supplier_orders.append(supplier_order)
        for line_no, values in line_columns:
            allocation = SupplierOrderLine(**values)
            supplier_order.lines.append(allocation)
            lines[line_no].allocations.append(allocation)
            ledger.reserve(values["product_id"], week, values["quantity"])
        created.append(supplier_order)
    refresh_order_amounts(order)
    return created


def add_supplier_order_rows(
    order, allocations: list[PricedLine], *, week: date, deadline: datetime, ledger: CapacityLedger
) -> None:
    """Placement's twin of `add_supplier_orders`: the same supplier orders as plain rows
    (`new_row`) on a new order of plain rows, linked both ways as the relationships would
    link them, with their foreign keys set."""
    lines = {line.line_no: line for line in order.lines}
    for columns, line_columns in _supplier_order_columns(allocations, week=week, deadline=deadline):
        so = new_row(SupplierOrder, order_id=order.id, order=order, lines=[], **columns)
        for line_no, values in line_columns:
            order_line = lines[line_no]
            allocation = new_row(
                SupplierOrderLine,
                supplier_order_id=so.id,
                order_line_id=order_line.id,
                supplier_order=so,
                order_line=order_line,
                **values,
            )
            so.lines.append(allocation)
            order_line.allocations.append(allocation)
            ledger.reserve(values["product_id"], week, values["quantity"])
        order.supplier_orders.append(so)
    refresh_order_amounts(order)


def _supplier_order_columns(
    allocations: list[PricedLine],
    *,
    week: date,
    deadline: datetime,
    rerouted_from: str | None = None,
) -> Iterator[tuple[dict, list[tuple[int, dict]]]]:
    """Per enterprise, one tax invoice: the new supplier order's columns, and each of its
    lines' columns with the number of the order line it fills. Placement makes plain rows
    of them (`add_supplier_order_rows`), re-routing ORM objects (`add_supplier_orders`)."""
    for part in split_by_enterprise(allocations).parts:
        supplier = part.lines[0].snapshot
        columns = {
            "enterprise_id": part.enterprise_id,
            "enterprise_name": supplier.enterprise_name,
            "status": states.PENDING,
            "acceptance_deadline": deadline,
            "rerouted_from_id": rerouted_from,
            "supply_amount": part.amounts.supply,
            "vat_amount": part.amounts.vat,
            "total_amount": part.amounts.total,
        }
        lines = []
        for line_no, priced in enumerate(part.lines, start=1):
            snapshot = priced.snapshot
            certification = snapshot.certification
            values = {
                "line_no": line_no,
                "product_id": snapshot.product_id,
                "product_version": snapshot.product_version,
                "sku": snapshot.sku,
                "name": snapshot.name,
                "unit": snapshot.unit,
                "quantity": priced.quantity,
                "unit_price": snapshot.unit_price,
                "tax_type": snapshot.tax_type,
                "enterprise_type": snapshot.enterprise_type,
                "certified": snapshot.certified,
                "certification_number": certification.number if certification else None,
                "capacity_week": week,
            }
            lines.append((priced.line_no, values))
        yield columns, lines


def billable_quantity(line: SupplierOrderLine) -> int:
    if line.cancelled:
        return 0
    if line.inspected_accepted_quantity is not None:
        return line.inspected_accepted_quantity
    if line.accepted_quantity is not None:
        return line.accepted_quantity
    return line.quantity


def refresh_amounts(supplier_order: SupplierOrder) -> None:
    """A supplier order is one tax invoice over what it will really deliver."""
    if supplier_order.status in states.VOID:
        amounts = ZERO
    else:
        amounts = invoice_amounts(
            (billable_quantity(ln), ln.unit_price, ln.tax_type) for ln in supplier_order.lines
        )
    supplier_order.supply_amount = amounts.supply
    supplier_order.vat_amount = amounts.vat
    supplier_order.total_amount = amounts.total


def refresh_order_amounts(order: Order) -> None:
    order.supply_amount = sum(so.supply_amount for so in order.supplier_orders)
    order.vat_amount = sum(so.vat_amount for so in order.supplier_orders)
    order.total_amount = sum(so.total_amount for so in order.supplier_orders)


def committed_quantity(line: SupplierOrderLine) -> int:
    """What the enterprise took on for this allocation (0 once declined, expired or
    cancelled); inspection rejects goods but does not reopen the line."""
    if line.cancelled or line.supplier_order.status in states.VOID:
        return 0
    return line.quantity if line.accepted_quantity is None else line.accepted_quantity


def settle_order(order: Order) -> str | None:
    """Recompute the order's amounts and close it when nothing is left to happen.

    Returns the event type to publish when the order just closed (completed/cancelled)."""
    refresh_order_amounts(order)
    if order.status != "placed":
        return None
    for line in order.lines:
        covered = sum(committed_quantity(a) for a in line.allocations)
        covered += line.unfulfillable_quantity + line.cancelled_quantity
        if covered < line.quantity:
            return None  # a re-route is still due for part of this line
    if not all(so.status in states.FINAL for so in order.supplier_orders):
        return None
    paid = any(so.status == states.PAID for so in order.supplier_orders)
    order.status = "completed" if paid else "cancelled"
    return f"order.{order.status}"


def acceptance_deadline(now: datetime, hours: int) -> datetime:
    return now + timedelta(hours=hours)
