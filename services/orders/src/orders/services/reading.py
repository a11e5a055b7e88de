"""Read side: orders and supplier orders, filtered by who is asking (BOLA checks here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, not_found
from gachi_kit.paging import keyset_page
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
        raise order_not_found()
    return order


def list_orders(wiring: OrdersWiring, actor: Principal, query: dict) -> dict:
    """Newest first; `query`: limit and cursor."""
    stmt = select(Order)
    if actor.role != "admin":
        stmt = stmt.where(Order.institution_id == actor.org)
        if actor.role == "buyer":
            stmt = stmt.where(Order.department == actor.dept)
    with wiring.db.reading() as session:
        page = keyset_page(
            session, stmt, query, order_by=(Order.id,), descending=True, filters=_seen_by(actor)
        )
    return page.as_dict()


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
        raise supplier_order_not_found()
    return supplier_order


def list_supplier_orders(wiring: OrdersWiring, actor: Principal, query: dict) -> dict:
    """Newest first; `query`: limit, cursor and status."""
    stmt = select(SupplierOrder).options(_SO_LINES)
    if actor.role == "enterprise":
        stmt = stmt.where(SupplierOrder.enterprise_id == actor.org)
    elif actor.role in BUYER_ROLES:
        stmt = stmt.join(Order).where(Order.institution_id == actor.org)
        if actor.role == "buyer":
            stmt = stmt.where(Order.department == actor.dept)
    if query.get("status"):
        stmt = stmt.where(SupplierOrder.status == query["status"])
    with wiring.db.reading() as session:
        page = keyset_page(
            session,
            stmt,
            query,
            order_by=(SupplierOrder.id,),
            descending=True,
            filters=dict(query) | _seen_by(actor),
        )
    return page.as_dict()


def order_not_found() -> Problem:
    return not_found("order", "주문")


def supplier_order_not_found() -> Problem:
    return not_found("supplier_order", "공급 주문")


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


def _seen_by(actor: Principal) -> dict:
    """Who a list is for: a cursor made for another caller's rows is refused."""
    return {"viewer": [actor.role, actor.org, actor.dept]}
