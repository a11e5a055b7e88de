"""Use case: supplier orders not acknowledged by their acceptance deadline expire.

A beat task runs it; each expiry is its own small transaction with its event, which then
re-routes the quantities (see rerouting.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gachi_kit.events import utcnow
from orders.adapters.models import Order, SupplierOrder
from orders.domain import states
from orders.services.allocation import CapacityLedger, refresh_amounts
from orders.services.published import record_supplier_order_event
from orders.wiring import OrdersWiring


def expire_overdue(wiring: OrdersWiring, limit: int = 200) -> int:
    with wiring.db.reading() as session:
        due = session.scalars(
            select(SupplierOrder.id)
            .where(
                SupplierOrder.status == states.PENDING,
                SupplierOrder.acceptance_deadline <= utcnow(),
            )
            .order_by(SupplierOrder.acceptance_deadline)
            .limit(limit)
        ).all()
    return sum(_expire(wiring, so_id) for so_id in due)


def _expire(wiring: OrdersWiring, so_id: str) -> bool:
    with wiring.db.transaction() as session:
        so = session.scalar(
            select(SupplierOrder)
            .where(SupplierOrder.id == so_id)
            .options(
                selectinload(SupplierOrder.lines),
                selectinload(SupplierOrder.order).selectinload(Order.supplier_orders),
            )
            .with_for_update()
        )
        if so.status != states.PENDING or so.acceptance_deadline > utcnow():
            return False  # answered meanwhile
        so.status = states.transition(so.status, states.EXPIRED)
        so.status_reason = "수락 기한 내에 응답하지 않았습니다."
        ledger = CapacityLedger(session)
        for line in so.lines:
            ledger.release(line.product_id, line.capacity_week, line.quantity)
        refresh_amounts(so)
        session.flush()
        record_supplier_order_event(wiring, session, "supplier_order.expired", so)
    return True
