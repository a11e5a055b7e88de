"""Use cases of a supplier order's life: the enterprise answers, produces, ships and
delivers; the buyer inspects (검수) and pays. Each step is one transaction with its event.

Declined and expired quantities are re-routed by the `supplier_order.declined` /
`partially_accepted` / `expired` events, which orders consumes itself (see rerouting.py).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid
from gachi_kit.events import utcnow
from orders.adapters.models import Order, OrderLine, SupplierOrder, SupplierOrderLine
from orders.domain import states
from orders.services.allocation import (
    CapacityLedger,
    billable_quantity,
    refresh_amounts,
    settle_order,
)
from orders.services.published import record_order_event, record_supplier_order_event
from orders.services.reading import can_see_order, supplier_order_not_found
from orders.wiring import OrdersWiring

SUPPLIER_SIDE = "supplier"
BUYER_SIDE = "buyer"


def accept(wiring: OrdersWiring, so_id: str, actor: Principal, body: dict) -> SupplierOrder:
    """Accept all (no `lines`), or say per line how much is accepted and why not the rest."""

    def apply(session: Session, so: SupplierOrder) -> str:
        answers = _answers_by_line(so, body)
        accepted = []
        for line in so.lines:
            answer = answers.get(line.line_no, {"accepted_quantity": line.quantity})
            quantity = answer["accepted_quantity"]
            if quantity > line.quantity:
                raise invalid(
                    "lines",
                    f"{line.line_no}번 품목: 주문 수량({line.quantity})보다 "
                    "많이 수락할 수 없습니다.",
                )
            if quantity < line.quantity and not answer.get("reason"):
                raise invalid(
                    "lines", f"{line.line_no}번 품목: 수락하지 않는 수량의 사유를 적어 주세요."
                )
            accepted.append(quantity)
        target = states.after_acceptance([ln.quantity for ln in so.lines], accepted)
        _respond(session, so, target, accepted, answers, body.get("reason"))
        return f"supplier_order.{target}"

    return _act(wiring, so_id, actor, body, SUPPLIER_SIDE, apply)


def decline(wiring: OrdersWiring, so_id: str, actor: Principal, body: dict) -> SupplierOrder:
    def apply(session: Session, so: SupplierOrder) -> str:
        answers = {ln.line_no: {"reason": body["reason"]} for ln in so.lines}
        _respond(session, so, states.DECLINED, [0] * len(so.lines), answers, body["reason"])
        return "supplier_order.declined"

    return _act(wiring, so_id, actor, body, SUPPLIER_SIDE, apply)


def ship(wiring: OrdersWiring, so_id: str, actor: Principal, body: dict) -> SupplierOrder:
    def apply(session: Session, so: SupplierOrder) -> str:
        _move(so, states.SHIPPED)
        so.carrier, so.tracking_number = body["carrier"], body["tracking_number"]
        so.shipped_at = utcnow()
        return "supplier_order.shipped"

    return _act(wiring, so_id, actor, body, SUPPLIER_SIDE, apply)


def inspect(wiring: OrdersWiring, so_id: str, actor: Principal, body: dict) -> SupplierOrder:
    """검수: per delivered line, how much the buyer accepts and rejects (with a reason).
    Inspected amounts are what counts as purchased."""

    def apply(session: Session, so: SupplierOrder) -> str:
        _move(so, states.INSPECTED)
        answers = _answers_by_line(so, body)
        for line in so.lines:
            delivered = billable_quantity(line)
            answer = answers.get(
                line.line_no, {"accepted_quantity": delivered, "rejected_quantity": 0}
            )
            accepted, rejected = answer["accepted_quantity"], answer["rejected_quantity"]
            if accepted + rejected != delivered:
                raise invalid(
                    "lines",
                    f"{line.line_no}번 품목: 합격과 불합격 수량의 합이 "
                    f"납품 수량({delivered})과 같아야 합니다.",
                )
            if rejected and not answer.get("reason"):
                raise invalid("lines", f"{line.line_no}번 품목: 불합격 사유를 적어 주세요.")
            line.inspected_accepted_quantity = accepted
            line.inspected_rejected_quantity = rejected
            line.inspection_reason = answer.get("reason")
        so.inspected_at = utcnow()
        refresh_amounts(so)
        return "supplier_order.inspected"

    return _act(wiring, so_id, actor, body, BUYER_SIDE, apply)


def _step(target: str, side: str, stamp: str | None = None):
    """A use case that only moves the state (and stamps when it happened)."""

    def use_case(wiring: OrdersWiring, so_id: str, actor: Principal, body: dict) -> SupplierOrder:
        def apply(session: Session, so: SupplierOrder) -> str:
            _move(so, target)
            if stamp:
                setattr(so, stamp, utcnow())
            return f"supplier_order.{target}"

        return _act(wiring, so_id, actor, body, side, apply)

    return use_case


start_production = _step(states.IN_PRODUCTION, SUPPLIER_SIDE)
deliver = _step(states.DELIVERED, SUPPLIER_SIDE, "delivered_at")
invoice = _step(states.INVOICED, SUPPLIER_SIDE, "invoiced_at")
pay = _step(states.PAID, BUYER_SIDE, "paid_at")


# -- shared steps -------------------------------------------------------------------------


def _act(
    wiring: OrdersWiring,
    so_id: str,
    actor: Principal,
    body: dict,
    side: str,
    apply: Callable[[Session, SupplierOrder], str],
) -> SupplierOrder:
    with wiring.db.transaction() as session:
        so = _load(session, so_id)
        _authorize(so, actor, side, body.get("acting_for"))
        if body.get("version") is not None and body["version"] != so.version:
            raise Problem(
                409,
                "stale_version",
                "다른 사용자가 먼저 변경했습니다",
                "최신 상태를 다시 불러온 뒤 시도하세요.",
                current_version=so.version,
                current_state=so.status,
            )
        event_type = apply(session, so)
        # the version check: a concurrent writer fails here (StaleDataError, which the kit
        # answers 409 concurrent_update)
        session.flush()
        record_supplier_order_event(wiring, session, event_type, so, actor=actor.sub)
        closed = settle_order(so.order)
        if closed:
            record_order_event(wiring, session, closed, so.order)
    return so


def _load(session: Session, so_id: str) -> SupplierOrder:
    so = session.scalar(
        select(SupplierOrder)
        .where(SupplierOrder.id == so_id)
        .options(
            selectinload(SupplierOrder.lines).selectinload(SupplierOrderLine.order_line),
            selectinload(SupplierOrder.order)
            .selectinload(Order.supplier_orders)
            .selectinload(SupplierOrder.lines),
            # settle_order reads every line's allocations: load them here, not one by one
            selectinload(SupplierOrder.order)
            .selectinload(Order.lines)
            .selectinload(OrderLine.allocations),
        )
    )
    if so is None:
        raise supplier_order_not_found()
    return so


def _authorize(so: SupplierOrder, actor: Principal, side: str, acting_for: str | None) -> None:
    """Enterprises act on their own supplier orders (or a service for them, e.g. a signed
    link); buyers act on their institution's. Someone else's order is a 404."""
    supplier = (actor.role == "enterprise" and actor.org == so.enterprise_id) or (
        actor.role == "service" and acting_for == so.enterprise_id
    )
    buyer = actor.role in ("buyer", "institution_admin") and can_see_order(so.order, actor)
    if not (supplier or buyer):
        raise supplier_order_not_found()
    if (side == SUPPLIER_SIDE and not supplier) or (side == BUYER_SIDE and not buyer):
        who = "공급 기업" if side == SUPPLIER_SIDE else "주문 기관"
        raise Problem(
            403, "forbidden_action", "권한이 없습니다", f"이 작업은 {who}만 할 수 있습니다."
        )


def _respond(
    session: Session,
    so: SupplierOrder,
    target: str,
    accepted: list[int],
    answers: dict,
    reason: str | None,
) -> None:
    _move(so, target)
    ledger = CapacityLedger(session)
    for line, quantity in zip(so.lines, accepted, strict=True):
        line.accepted_quantity = quantity
        if quantity < line.quantity:
            line.decline_reason = (answers.get(line.line_no) or {}).get("reason") or reason
            ledger.release(line.product_id, line.capacity_week, line.quantity - quantity)
    so.status_reason = reason
    so.responded_at = utcnow()
    refresh_amounts(so)


def _move(so: SupplierOrder, target: str) -> None:
    """Refused moves raise InvalidTransition: 409 with `current_state` (api/errors.py)."""
    so.status = states.transition(so.status, target)


def _answers_by_line(so: SupplierOrder, body: dict) -> dict[int, dict]:
    answers = {a["line_no"]: a for a in body.get("lines") or []}
    unknown = set(answers) - {ln.line_no for ln in so.lines}
    if unknown:
        raise invalid("lines", f"없는 품목 번호입니다: {sorted(unknown)}")
    return answers
