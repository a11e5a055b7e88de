"""Read side: orders and supplier orders, filtered by who is asking (BOLA checks here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem
from orders.adapters.models import (
    Order,
    RoutingDecision,
    SupplierOrder,
    SupplierOrderLine,
)
from orders.wiring import OrdersWiring

BUYER_ROLES = ("buyer", "institution_admin")
_SO_LINES = selectinload(SupplierOrder.lines).selectinload(SupplierOrderLine.order_line)


def get_order(wiring: OrdersWiring, order_id: str, actor: Principal) -> Order:
    with wiring.db.reading() as session:
        order = session.scalar(
            select(Order)
            .where(Order.id == order_id)
            .options(
                selectinload(Order.lines),
                selectinload(Order.supplier_orders).options(_SO_LINES),
            )
        )
    if order is None or not can_see_order(order, actor):
        # 404 rather than 403: do not reveal that another institution's order exists.
        raise Problem(404, "order_not_found", "주문을 찾을 수 없습니다")
    return order


def list_orders(wiring: OrdersWiring, actor: Principal, limit: int, cursor: str | None) -> dict:
    query = select(Order).order_by(Order.id.desc()).limit(limit + 1)
    if actor.role != "admin":
        query = query.where(Order.institution_id == actor.org)
        if actor.role == "buyer":
            query = query.where(Order.department == actor.dept)
    if cursor:
        query = query.where(Order.id < cursor)
    with wiring.db.reading() as session:
        rows = list(session.scalars(query))
    return _page(rows, limit)


def routing_report(wiring: OrdersWiring, order_id: str, actor: Principal) -> dict:
    get_order(wiring, order_id, actor)  # the same visibility rule as the order itself
    with wiring.db.reading() as session:
        decisions = session.scalars(
            select(RoutingDecision)
            .where(RoutingDecision.order_id == order_id)
            .options(selectinload(RoutingDecision.order_line))
            .order_by(RoutingDecision.created_at, RoutingDecision.id)
        ).all()
    return {"order_id": order_id, "decisions": decisions}


def get_supplier_order(
    wiring: OrdersWiring, supplier_order_id: str, actor: Principal
) -> SupplierOrder:
    with wiring.db.reading() as session:
        supplier_order = session.scalar(
            select(SupplierOrder)
            .where(SupplierOrder.id == supplier_order_id)
            .options(_SO_LINES, selectinload(SupplierOrder.order))
        )
    if supplier_order is None or not _can_see_supplier_order(supplier_order, actor):
        raise Problem(404, "supplier_order_not_found", "공급 주문을 찾을 수 없습니다")
    return supplier_order


def list_supplier_orders(
    wiring: OrdersWiring,
    actor: Principal,
    limit: int,
    cursor: str | None,
    status: str | None = None,
) -> dict:
    query = select(SupplierOrder).options(_SO_LINES).order_by(SupplierOrder.id.desc())
    if actor.role == "enterprise":
        query = query.where(SupplierOrder.enterprise_id == actor.org)
    elif actor.role in BUYER_ROLES:
        query = query.join(Order).where(Order.institution_id == actor.org)
        if actor.role == "buyer":
            query = query.where(Order.department == actor.dept)
    if status:
        query = query.where(SupplierOrder.status == status)
    if cursor:
        query = query.where(SupplierOrder.id < cursor)
    with wiring.db.reading() as session:
        rows = list(session.scalars(query.limit(limit + 1)))
    return _page(rows, limit)


def can_see_order(order: Order, actor: Principal) -> bool:
    if actor.role in ("admin", "service"):
        return True
    if actor.role == "institution_admin":
        return order.institution_id == actor.org
    if actor.role == "buyer":
        return order.institution_id == actor.org and order.department == actor.dept
    return False


def _can_see_supplier_order(supplier_order: SupplierOrder, actor: Principal) -> bool:
    if actor.role == "enterprise":
        return supplier_order.enterprise_id == actor.org
    return can_see_order(supplier_order.order, actor)


def _page(rows: list, limit: int) -> dict:
    more = len(rows) > limit
    items = rows[:limit]
    return {"items": items, "next_cursor": items[-1].id if more else None}
