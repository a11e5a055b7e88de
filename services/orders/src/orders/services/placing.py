"""Use case: place an institutional order.

Outside any transaction: check the buyer's institution, claim the Idempotency-Key, ask
catalog for the brand and one batch of prices (product lines) and candidates (product-group
lines). Then one transaction: lock the capacity of every product involved for the delivery
week, route the group lines, refuse the whole order if any line cannot be supplied, and write
the order, its lines, one supplier order per enterprise with snapshots, the routing
decisions, the outbox events and the idempotency record together.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Row, bindparam, select

from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.db import insert_new_rows, new_row
from gachi_kit.errors import Problem, invalid
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger
from gachi_kit.metrics import counter
from orders.adapters.catalog_client import UnknownBrand
from orders.adapters.models import (
    Institution,
    Order,
    OrderLine,
    RoutingDecision,
    SupplierOrder,
    SupplierOrderLine,
)
from orders.domain import routing
from orders.domain.capacity import week_start
from orders.domain.pricing import PricedProduct, Pricing, RefusedLine
from orders.domain.rules import lead_time_met, needed_by_problem
from orders.domain.split import PricedLine
from orders.services import idempotency, reading
from orders.services.allocation import (
    CapacityLedger,
    acceptance_deadline,
    add_supplier_order_rows,
    fiscal_year_amounts,
    take_capacity,
)
from orders.services.performance.classification import classify_supplier_orders
from orders.services.published import record_order_event, record_supplier_order_event
from orders.wiring import OrdersWiring

log = get_logger(__name__)
# What a caller (and a group order waiting to close) is told while catalog is down.
CATALOG_DOWN = "상품 카탈로그에 연결할 수 없어 주문을 받지 않았습니다. 잠시 후 다시 시도하세요."


@dataclass(frozen=True)
class Plan:
    """What catalog told us, before any lock is taken."""

    priced: Pricing
    policy: str
    acceptance_hours: int


def place_order(
    wiring: OrdersWiring,
    fields: dict,
    actor: Principal,
    *,
    idempotency_key: str | None,
    raw_body: object,
) -> idempotency.Created[Order]:
    """Place once per Idempotency-Key: the new order, or the one the key placed before."""
    institution = require_institution(wiring, actor)  # before the key is claimed

    def create(remember: idempotency.Remember) -> Order:
        return place(
            wiring,
            fields,
            actor,
            institution,
            on_transaction=lambda session, order: remember(session, order.id),
        )

    def placed_before(order_id: str) -> Order:
        return reading.get_order(wiring, order_id, actor)

    return idempotency.run_once(wiring, actor, idempotency_key, raw_body, create, placed_before)


def place(
    wiring: OrdersWiring,
    fields: dict,
    actor: Principal,
    institution: Row,
    *,
    on_transaction=None,
    dry_run: bool = False,
) -> SimpleNamespace:
    """Price, route and write one order; also used when a group order closes. `institution`:
    the buyer's, as require_institution() found it (the caller checks it first).

    The order comes back as plain rows (`new_row`): its attributes, lines and supplier
    orders are named as the models' are, which is all an answer, an event or a group
    order's shares read. A dry run does everything, capacity locks included, then rolls
    back: the order it returns is exactly what a real run would have written."""
    today = today_kst()
    problem = needed_by_problem(fields["needed_by"], today)
    if problem:
        raise invalid("needed_by", problem, code="needed_by_in_past", detail=problem)
    plan = _plan(wiring, fields, today)
    with wiring.db.transaction() as session:
        order, decisions = _allocate(session, fields, actor, institution, plan, today)
        _write(session, order, decisions)
        classify_supplier_orders(session, order.supplier_orders)
        record_order_event(wiring, session, "order.placed", order)
        for so in order.supplier_orders:
            record_supplier_order_event(wiring, session, "supplier_order.created", so)
        if on_transaction is not None:
            on_transaction(session, order)
        if dry_run:
            session.rollback()
            return order
    log.info("order_placed", order_id=order.id, supplier_orders=len(order.supplier_orders))
    return order


def _write(session, order: SimpleNamespace, decisions: list[SimpleNamespace]) -> None:
    """~50 rows in five statements, parents first."""
    insert_new_rows(session, Order, [order])
    insert_new_rows(session, OrderLine, order.lines)
    insert_new_rows(session, SupplierOrder, order.supplier_orders)
    supplier_lines = [line for so in order.supplier_orders for line in so.lines]
    insert_new_rows(session, SupplierOrderLine, supplier_lines)
    insert_new_rows(session, RoutingDecision, decisions)


# Built once (a statement keeps its cache key): the buyer's institution as a plain row.
_INSTITUTION = select(Institution.id, Institution.name, Institution.brn, Institution.status).where(
    Institution.id == bindparam("id")
)


def require_institution(wiring: OrdersWiring, actor: Principal) -> Row:
    """The buyer's active institution (`id`, `name`, `brn`): a plain row, not an object
    the session would load and track on every order."""
    if not actor.org:
        raise Problem(
            403, "forbidden_institution", "권한이 없습니다", "토큰에 기관(org)이 없습니다."
        )
    with wiring.db.reading() as session:
        institution = session.connection().execute(_INSTITUTION, {"id": actor.org}).first()
    if institution is None or institution.status != "active":
        raise Problem(
            403,
            "unknown_institution",
            "등록되지 않은 기관입니다",
            "주문은 플랫폼에 등록된 활성 기관만 할 수 있습니다.",
        )
    return institution


def _plan(wiring: OrdersWiring, fields: dict, today) -> Plan:
    """One pricing call; it also carries the brand's terms (a catalog that does not send
    them yet gets a second call for the brand)."""
    brand_code = fields.get("brand_code")
    try:  # catalog down (UpstreamUnavailable, CatalogError) is answered 503 (api/errors.py)
        priced = wiring.catalog.price(fields["lines"], fields["needed_by"], brand_code)
        terms = priced.brand
        if brand_code and terms is None:
            terms = wiring.catalog.brand_terms(brand_code)
    except UnknownBrand as exc:
        raise unknown_brand() from exc
    errors = {}
    for index, answer in enumerate(priced.lines):
        if isinstance(answer, RefusedLine):
            errors[str(index)] = _line_error(answer.code, answer.detail)
        elif isinstance(answer, PricedProduct):
            lead = answer.snapshot.lead_time_days
            if not lead_time_met(lead, today, fields["needed_by"]):
                errors[str(index)] = _line_error(
                    "lead_time_not_met", f"이 상품은 주문 후 {lead}일이 지나야 납품할 수 있습니다."
                )
    _raise_line_errors(errors)
    if terms is None:
        return Plan(
            priced=priced,
            policy=wiring.settings.default_routing_policy,
            acceptance_hours=wiring.settings.default_acceptance_hours,
        )
    return Plan(priced=priced, policy=terms.routing_policy, acceptance_hours=terms.acceptance_hours)


def _allocate(
    session, fields: dict, actor: Principal, institution: Row, plan: Plan, today
) -> tuple[SimpleNamespace, list[SimpleNamespace]]:
    """The order with its lines and supplier orders, and the routing decisions of its
    product-group lines: new plain rows, not written yet."""
    needed_by = fields["needed_by"]
    week = week_start(needed_by)
    snapshots = plan.priced.snapshots()
    ledger = CapacityLedger(session)
    capacity_left = ledger.lock(snapshots, week)
    shares = {}
    if plan.policy == "fair_share":
        shares = fiscal_year_amounts(session, {s.enterprise_id for s in snapshots}, today)

    order = new_row(
        Order,
        institution_id=actor.org,
        institution_name=institution.name,
        department=actor.dept,
        buyer_id=actor.sub,
        brand_code=fields.get("brand_code"),
        routing_policy=plan.policy,
        acceptance_hours=plan.acceptance_hours,
        status="placed",
        delivery_address=fields["delivery_address"],
        delivery_sigungu_code=fields.get("delivery_sigungu_code"),
        needed_by=needed_by,
        memo=fields.get("memo", ""),
        lines=[],
        supplier_orders=[],
    )
    allocations, decisions, errors = [], [], {}
    lines = zip(fields["lines"], plan.priced.lines, strict=True)
    for index, (requested, answer) in enumerate(lines):
        quantity = requested["quantity"]
        if isinstance(answer, PricedProduct):
            snapshot = answer.snapshot
            line = _order_line(
                order, index, snapshot.name, snapshot.unit, quantity, product_id=snapshot.product_id
            )
            left = capacity_left.get(snapshot.product_id)
            if left is not None and quantity > left:
                errors[str(index)] = _line_error(
                    "insufficient_capacity",
                    f"납품 주에 공급 가능한 수량은 {left}{snapshot.unit}입니다.",
                )
                continue
            take_capacity(capacity_left, snapshot.product_id, quantity)
            allocations.append(PricedLine(line.line_no, quantity, snapshot))
        else:
            group = answer.group
            line = _order_line(
                order, index, group.name, group.unit, quantity, group_code=group.code
            )
            route = routing.route(
                answer.candidates,
                quantity,
                routing.RoutingContext(
                    policy=plan.policy,
                    needed_by=needed_by,
                    today=today,
                    brand_code=fields.get("brand_code"),
                    delivery_sigungu=fields.get("delivery_sigungu_code"),
                    capacity_left=capacity_left,
                    fiscal_year_amounts=shares,
                ),
            )
            if route.unallocated:
                errors[str(index)] = _unroutable(route, quantity, group.unit)
                continue
            for allocation in route.allocations:
                take_capacity(capacity_left, allocation.snapshot.product_id, allocation.quantity)
                allocations.append(
                    PricedLine(line.line_no, allocation.quantity, allocation.snapshot)
                )
            decisions.append(_decision(order, line, plan.policy, route))
        order.lines.append(line)
    _raise_line_errors(errors)
    deadline = acceptance_deadline(utcnow(), plan.acceptance_hours)
    add_supplier_order_rows(order, allocations, week=week, ledger=ledger, deadline=deadline)
    return order, decisions


def _order_line(
    order, index: int, name: str, unit: str, quantity: int, **product_or_group
) -> SimpleNamespace:
    """A product line (`product_id=`) or a product-group line (`group_code=`)."""
    return new_row(
        OrderLine,
        order_id=order.id,
        line_no=index + 1,
        name=name,
        unit=unit,
        quantity=quantity,
        status="open",
        order=order,
        allocations=[],
        **product_or_group,
    )


def _decision(order, line, policy: str, route: routing.Route) -> SimpleNamespace:
    return new_row(
        RoutingDecision,
        order_id=order.id,
        order_line_id=line.id,
        trigger="placement",
        policy=policy,
        quantity=line.quantity,
        unallocated_quantity=route.unallocated,
        candidates=route.explain(),
        order=order,
        order_line=line,
    )


# A line asked for more than the capacity ledger has left in the delivery week.
CAPACITY_CONFLICTS = counter(
    "gachi_capacity_conflicts_total", "order lines refused for lack of capacity", ()
)


def _unroutable(route: routing.Route, quantity: int, unit: str) -> dict:
    allocated = quantity - route.unallocated
    if allocated == 0:
        detail = "조건을 만족하는 공급 기업이 없습니다."
        code = "no_eligible_supplier"
    else:
        detail = f"조건을 만족하는 기업들이 공급할 수 있는 수량은 {allocated}{unit}입니다."
        code = "insufficient_capacity"
    return _line_error(code, detail) | {"candidates": route.explain()}


def _line_error(code: str, detail: str) -> dict:
    if code == "insufficient_capacity":
        CAPACITY_CONFLICTS.labels("orders").inc()
    return {"code": code, "detail": detail}


def _raise_line_errors(errors: dict) -> None:
    if errors:
        raise Problem(
            422,
            "order_lines_invalid",
            "주문할 수 없는 품목이 있습니다",
            f"{len(errors)}개 품목을 주문할 수 없습니다. errors.lines를 확인하세요.",
            errors={"lines": errors},
        )


def unknown_brand() -> Problem:
    return invalid("brand_code", "등록되지 않은 브랜드입니다.", code="unknown_brand")
