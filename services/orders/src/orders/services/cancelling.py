"""Use case: the buyer cancels an order, or some of its lines, before shipping.

Capacity is released, the affected enterprises are told (supplier_order.cancelled, or
supplier_order.lines_cancelled when only part of theirs goes), nothing is deleted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid, invalid_transition
from orders.adapters.models import Order, OrderLine, SupplierOrder, SupplierOrderLine
from orders.domain import states
from orders.services.allocation import CapacityLedger, refresh_amounts, settle_order
from orders.services.published import record_order_event, record_supplier_order_event
from orders.services.reading import can_see_order, order_not_found
from orders.wiring import OrdersWiring


def cancel(wiring: OrdersWiring, order_id: str, actor: Principal, body: dict) -> Order:
    with wiring.db.transaction() as session:
        order = session.scalar(
            select(Order)
            .where(Order.id == order_id)
            .options(
                selectinload(Order.lines)
                .selectinload(OrderLine.allocations)
                .selectinload(SupplierOrderLine.supplier_order),
                selectinload(Order.supplier_orders).selectinload(SupplierOrder.lines),
            )
        )
        if order is None or not can_see_order(order, actor):
            raise order_not_found()
        lines = _lines_to_cancel(order, body.get("line_nos"))
        touched = _cancel_lines(session, lines)
        for so in touched:
            remaining = [ln for ln in so.lines if not ln.cancelled]
            if not remaining:
                so.status = states.transition(so.status, states.CANCELLED)
                so.status_reason = body["reason"]
            refresh_amounts(so)
        session.flush()
        for so in touched:
            if so.status == states.CANCELLED:
                record_supplier_order_event(
                    wiring, session, "supplier_order.cancelled", so, reason=body["reason"]
                )
            else:
                record_supplier_order_event(
                    wiring, session, "supplier_order.lines_cancelled", so, reason=body["reason"]
                )
        closed = settle_order(order)
        event = closed or "order.lines_cancelled"
        record_order_event(
            wiring,
            session,
            event,
            order,
            reason=body["reason"],
            cancelled_line_nos=[ln.line_no for ln in lines],
        )
    return order


def _lines_to_cancel(order: Order, line_nos: list[int] | None) -> list[OrderLine]:
    if order.status != "placed":
        raise invalid_transition(order.status, "이미 완료되었거나 취소된 주문입니다.")
    by_no = {ln.line_no: ln for ln in order.lines}
    if line_nos:
        unknown = sorted(set(line_nos) - set(by_no))
        if unknown:
            raise invalid("line_nos", f"없는 품목 번호입니다: {unknown}")
        chosen = [by_no[n] for n in sorted(set(line_nos))]
    else:
        chosen = list(order.lines)
    chosen = [ln for ln in chosen if ln.status != "cancelled"]
    if not chosen:
        raise invalid_transition("cancelled", "취소할 품목이 남아 있지 않습니다.")
    blocked = sorted(
        {
            a.supplier_order.enterprise_name
            for line in chosen
            for a in line.allocations
            if not a.cancelled
            and a.supplier_order.status not in states.CANCELLABLE
            and a.supplier_order.status not in states.VOID
        }
    )
    if blocked:
        raise Problem(
            409,
            "not_cancellable",
            "이미 출고된 품목은 취소할 수 없습니다",
            f"출고 이후 단계인 공급 주문이 있습니다: {', '.join(blocked)}",
            current_state="shipped",
        )
    return chosen


def _cancel_lines(session, lines: list[OrderLine]) -> list[SupplierOrder]:
    ledger = CapacityLedger(session)
    touched: dict[str, SupplierOrder] = {}
    for line in lines:
        open_before = line.quantity - line.unfulfillable_quantity - line.cancelled_quantity
        for allocation in line.allocations:
            so = allocation.supplier_order
            if allocation.cancelled or so.status in states.VOID:
                continue
            committed = (
                allocation.quantity
                if allocation.accepted_quantity is None
                else allocation.accepted_quantity
            )
            ledger.release(allocation.product_id, allocation.capacity_week, committed)
            allocation.cancelled = True
            touched[so.id] = so
        line.cancelled_quantity += open_before
        line.status = "cancelled"
    return list(touched.values())
