"""The compensating half of the routing saga: what an enterprise declined, or did not
acknowledge in time, goes to the next eligible enterprise as a new supplier order; what no
one can supply becomes unfulfillable on the line. The buyer is told either way.

Runs when orders consumes its own `supplier_order.declined`, `...partially_accepted` and
`...expired` events (exactly once per event id). Candidates are fetched from catalog before
the transaction; a catalog outage raises, and the Celery task retries later.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gachi_kit.consumer import consume, each_event
from gachi_kit.dates import today_kst
from gachi_kit.events import Envelope, utcnow
from gachi_kit.logging import get_logger
from orders.adapters.models import (
    InboundEvent,
    Order,
    OrderLine,
    RoutingDecision,
    SupplierOrder,
    SupplierOrderLine,
)
from orders.domain import routing, states
from orders.domain.capacity import week_start
from orders.domain.pricing import PricedGroup, Snapshot
from orders.domain.split import PricedLine
from orders.services.allocation import (
    CapacityLedger,
    acceptance_deadline,
    add_supplier_orders,
    committed_quantity,
    fiscal_year_amounts,
    settle_order,
    take_capacity,
)
from orders.services.performance.classification import classify_supplier_orders
from orders.services.published import record_order_event, record_supplier_order_event
from orders.wiring import OrdersWiring

log = get_logger(__name__)
REROUTE_TRIGGERS = {
    "supplier_order.declined": "declined",
    "supplier_order.partially_accepted": "declined",
    "supplier_order.expired": "expired",
}


def handle_events(wiring: OrdersWiring, raws: list[dict], first_delivery: bool = False) -> list:
    """Several of these events in one message (what one transaction recorded, such as the
    expiry job's): each on its own, since each asks catalog before its transaction."""
    results, failure = each_event(raws, lambda raw: handle_event(wiring, raw, first_delivery))
    if failure is not None:
        raise failure
    return results


def handle_event(wiring: OrdersWiring, raw: dict, first_delivery: bool = False) -> str:
    envelope = Envelope.from_dict(raw)
    if envelope.type not in REROUTE_TRIGGERS:
        return consume(
            wiring.db, InboundEvent, envelope, lambda s, e: None, first_delivery=first_delivery
        )
    candidates = _candidates(wiring, envelope.data["supplier_order_id"])
    return consume(
        wiring.db,
        InboundEvent,
        envelope,
        lambda session, env: reroute(wiring, session, env, candidates),
        first_delivery=first_delivery,
    )


def _candidates(wiring: OrdersWiring, so_id: str) -> dict[str, tuple[Snapshot, ...]]:
    """Catalog's current candidates for each product-group line of this supplier order."""
    with wiring.db.reading() as session:
        so = session.scalar(
            select(SupplierOrder)
            .where(SupplierOrder.id == so_id)
            .options(
                selectinload(SupplierOrder.lines).selectinload(SupplierOrderLine.order_line),
                selectinload(SupplierOrder.order),
            )
        )
        if so is None:
            return {}
        codes = sorted({ln.order_line.group_code for ln in so.lines if ln.order_line.group_code})
        order = so.order
    if not codes:
        return {}
    priced = wiring.catalog.price(
        [{"group_code": code, "quantity": 1} for code in codes], order.needed_by, order.brand_code
    )
    return {
        code: answer.candidates
        for code, answer in zip(codes, priced.lines, strict=True)
        if isinstance(answer, PricedGroup)
    }


def reroute(wiring: OrdersWiring, session: Session, envelope: Envelope, candidates: dict) -> None:
    trigger = REROUTE_TRIGGERS[envelope.type]
    order = session.scalar(
        select(Order)
        .where(Order.id == envelope.data["order_id"])
        .options(
            selectinload(Order.lines)
            .selectinload(OrderLine.allocations)
            .selectinload(SupplierOrderLine.supplier_order),
            selectinload(Order.supplier_orders).selectinload(SupplierOrder.lines),
        )
    )
    source = next(so for so in order.supplier_orders if so.id == envelope.data["supplier_order_id"])
    if order.status != "placed":
        return  # cancelled meanwhile: nothing to re-route
    today = today_kst()
    week = week_start(order.needed_by)
    lines = list({a.order_line_id: a.order_line for a in source.lines}.values())
    # One lock and one capacity count for every line: two lines of one group share a pool,
    # and the second must see what the first took (as in placement).
    pool_of_all = [c for code in {ln.group_code for ln in lines} for c in candidates.get(code, ())]
    ledger = CapacityLedger(session)
    capacity_left = ledger.lock(pool_of_all, week)
    shares = (
        fiscal_year_amounts(session, {c.enterprise_id for c in pool_of_all}, today)
        if order.routing_policy == "fair_share"
        else {}
    )
    allocations, unfulfillable = [], []
    for line in lines:
        missing = (
            line.quantity
            - line.unfulfillable_quantity
            - line.cancelled_quantity
            - sum(committed_quantity(a) for a in line.allocations)
        )
        if missing <= 0:
            continue
        if not line.group_code:  # a specific product: no one else can supply it
            line.unfulfillable_quantity += missing
            unfulfillable.append({"line_no": line.line_no, "quantity": missing})
            _mark_if_unfulfillable(line)
            continue
        pool = candidates.get(line.group_code, ())
        excluded = frozenset(
            a.supplier_order.enterprise_id
            for a in line.allocations
            if committed_quantity(a) < a.quantity
        )
        route = routing.route(
            pool,
            missing,
            routing.RoutingContext(
                policy=order.routing_policy,
                needed_by=order.needed_by,
                today=today,
                brand_code=order.brand_code,
                delivery_sigungu=order.delivery_sigungu_code,
                capacity_left=capacity_left,
                fiscal_year_amounts=shares,
                excluded_enterprises=excluded,
            ),
        )
        for allocation in route.allocations:
            take_capacity(capacity_left, allocation.snapshot.product_id, allocation.quantity)
            allocations.append(PricedLine(line.line_no, allocation.quantity, allocation.snapshot))
        if route.unallocated:
            line.unfulfillable_quantity += route.unallocated
            unfulfillable.append({"line_no": line.line_no, "quantity": route.unallocated})
        _mark_if_unfulfillable(line)
        session.add(
            RoutingDecision(
                order=order,
                order_line=line,
                trigger=trigger,
                policy=order.routing_policy,
                quantity=missing,
                unallocated_quantity=route.unallocated,
                candidates=route.explain(),
            )
        )
    created = (
        add_supplier_orders(
            order,
            allocations,
            week=week,
            ledger=ledger,
            deadline=acceptance_deadline(utcnow(), order.acceptance_hours),
            rerouted_from=source.id,
        )
        if allocations
        else []
    )
    session.flush()
    classify_supplier_orders(session, created)
    for so in created:
        record_supplier_order_event(wiring, session, "supplier_order.created", so)
    if created or unfulfillable:
        record_supplier_order_event(
            wiring,
            session,
            "supplier_order.rerouted",
            source,
            rerouted_to=[
                {
                    "supplier_order_id": so.id,
                    "enterprise_id": so.enterprise_id,
                    "enterprise_name": so.enterprise_name,
                    "quantity": sum(ln.quantity for ln in so.lines),
                }
                for so in created
            ],
            unfulfillable=unfulfillable,
        )
    closed = settle_order(order)
    if closed:
        record_order_event(wiring, session, closed, order)
    log.info(
        "rerouted",
        order_id=order.id,
        source=source.id,
        created=len(created),
        unfulfillable=len(unfulfillable),
        status=states.LABELS.get(source.status),
    )


def _mark_if_unfulfillable(line: OrderLine) -> None:
    if line.unfulfillable_quantity and (
        line.unfulfillable_quantity + line.cancelled_quantity >= line.quantity
    ):
        line.status = "unfulfillable"
