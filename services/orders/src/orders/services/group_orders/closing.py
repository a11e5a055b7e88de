"""The closing saga of a group order: at the deadline (the beat task) or early (the
organiser, once the minimum is met) it becomes one order, or it is cancelled or failed.

The order is placed through `placing.place` with the summed quantities, as the organiser.
Inside that order's own transaction the group order row is locked and checked: if someone
else closed or cancelled it meanwhile, or a quantity changed since we read it, the whole
order rolls back. So two closers racing place exactly one order. Each participant's part of
the order's amounts is recorded in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gachi_kit.auth import Principal
from gachi_kit.domain_errors import TemporaryFailure
from gachi_kit.errors import Problem
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger
from orders.adapters.models import GroupOrder, Order
from orders.domain import group_orders as rules
from orders.services import placing
from orders.services.group_orders import access
from orders.services.placing import CATALOG_DOWN
from orders.services.published import record_group_order_closed, record_group_order_settled
from orders.wiring import OrdersWiring

log = get_logger(__name__)


class Settled(Exception):
    """Someone else closed or cancelled the group order first."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class Changed(Exception):
    """A participant's quantities changed between reading them and locking the row."""


# --- the beat: closing what is due -----------------------------------------------------


def close_due(wiring: OrdersWiring, limit: int = 100) -> int:
    """Close every open group order past its deadline; returns how many reached a verdict
    (closed, cancelled or failed). One failing group order never stops the others."""
    with wiring.db.reading() as session:
        due = session.scalars(
            select(GroupOrder.id)
            .where(GroupOrder.status == rules.OPEN, GroupOrder.deadline <= utcnow())
            .order_by(GroupOrder.deadline)
            .limit(limit)
        ).all()
    settled = 0
    for group_order_id in due:
        try:
            settled += close_at_deadline(wiring, group_order_id)
        except Exception as exc:  # a bug or an outage: log, count the attempt, go on
            log.exception("group_order_close_error", group_order_id=group_order_id)
            _count_attempt(wiring, group_order_id, f"예기치 못한 오류: {type(exc).__name__}")
    return settled


def close_at_deadline(wiring: OrdersWiring, group_order_id: str) -> bool:
    group_order = access.load(wiring, group_order_id)
    if group_order is None or group_order.status != rules.OPEN:
        return False
    if group_order.deadline > utcnow():
        return False
    if not rules.minimum_met(group_order.total_quantity, group_order.minimum_quantity):
        return _cancel_below_minimum(wiring, group_order_id)
    try:
        place(wiring, group_order)
    except (Settled, Changed):
        return False  # someone else settled it, or a last change landed: next minute
    except TemporaryFailure:  # catalog down: stays open (joins refused), next minute
        _count_attempt(wiring, group_order_id, CATALOG_DOWN)
        return False
    except Problem as refused:  # placement refused the order: final
        return _fail(wiring, group_order_id, refused)
    return True


def _cancel_below_minimum(wiring: OrdersWiring, group_order_id: str) -> bool:
    with wiring.db.transaction() as session:
        group_order = access.lock(session, group_order_id)
        if group_order.status != rules.OPEN:
            return False
        total = group_order.total_quantity
        if rules.minimum_met(total, group_order.minimum_quantity):
            return False  # a change committed just before the deadline: place it next time
        reason = (
            f"마감까지 모인 수량 {total}개가 최소 수량 {group_order.minimum_quantity}개에 "
            "못 미쳐 단체 구매가 취소되었습니다."
        )
        settle(wiring, session, group_order, rules.CANCELLED, "minimum_not_met", reason)
    return True


def _fail(wiring: OrdersWiring, group_order_id: str, problem: Problem) -> bool:
    with wiring.db.transaction() as session:
        group_order = access.lock(session, group_order_id)
        if group_order.status != rules.OPEN:
            return False
        reason = problem.detail or problem.title
        settle(
            wiring,
            session,
            group_order,
            rules.FAILED,
            problem.code,
            f"주문을 넣지 못했습니다: {reason}",
            failure=problem.to_dict(),
        )
    log.warning("group_order_failed", group_order_id=group_order_id, code=problem.code)
    return True


def _count_attempt(wiring: OrdersWiring, group_order_id: str, error: str) -> None:
    with wiring.db.transaction() as session:
        group_order = access.lock(session, group_order_id)
        if group_order is None or group_order.status != rules.OPEN:
            return
        group_order.close_attempts += 1
        group_order.last_close_error = error[:500]
        if group_order.close_attempts >= rules.MAX_CLOSE_ATTEMPTS:
            settle(
                wiring,
                session,
                group_order,
                rules.FAILED,
                "close_attempts_exhausted",
                f"{group_order.close_attempts}번 시도했지만 주문을 넣지 못했습니다: {error}",
                failure={"code": "close_attempts_exhausted", "detail": error},
            )


def settle(
    wiring: OrdersWiring,
    session: Session,
    group_order: GroupOrder,
    target: str,
    reason_code: str,
    reason: str,
    failure: dict | None = None,
) -> None:
    """Cancel or fail it (the group order row is locked) and tell everyone."""
    group_order.status = rules.transition(group_order.status, target)
    group_order.status_reason = reason[:500]
    group_order.failure = failure
    group_order.closed_at = utcnow()
    session.flush()
    record_group_order_settled(
        wiring, session, group_order, reason_code=reason_code, reason=reason, failure=failure
    )


# --- placing the order -----------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    quantities: dict[str, dict[int, int]]  # participant id → {item_no: quantity}
    item_nos: list[int]  # item of each order line, in line order


def place(wiring: OrdersWiring, group_order: GroupOrder) -> Order:
    """One order for the summed quantities, as the organiser; raises Settled or Changed
    when the group order moved on since it was read (nothing is written then)."""
    totals = group_order.item_totals
    ordered = [item for item in group_order.items if totals.get(item.item_no)]
    planned = _Planned(
        quantities=group_order.quantities_by_participant, item_nos=[i.item_no for i in ordered]
    )
    lines = [
        access.item_target(i.product_id, i.group_code) | {"quantity": totals[i.item_no]}
        for i in ordered
    ]
    memo = f"단체 구매: {group_order.title} (참여 {len(planned.quantities)}명)"
    fields = {
        "delivery_address": group_order.delivery_address,
        "delivery_sigungu_code": group_order.delivery_sigungu_code,
        "needed_by": group_order.needed_by,
        "brand_code": group_order.brand_code,
        "memo": f"{memo}\n{group_order.memo}".strip(),
        "lines": lines,
    }
    organiser = Principal(
        sub=group_order.organiser_id,
        role=group_order.organiser_role,
        org=group_order.institution_id,
        dept=group_order.department,
    )
    institution = placing.require_institution(wiring, organiser)
    return placing.place(
        wiring,
        fields,
        organiser,
        institution,
        on_transaction=_recorder(wiring, group_order.id, planned),
    )


def _recorder(wiring: OrdersWiring, group_order_id: str, planned: _Planned) -> Callable:
    def record(session: Session, order: Order) -> None:
        group_order = access.lock(session, group_order_id)
        if group_order.status != rules.OPEN:
            raise Settled(group_order.status)
        if group_order.quantities_by_participant != planned.quantities:
            raise Changed()
        shares = rules.participant_shares(planned.quantities, _invoices(order, planned.item_nos))
        if sum(s.total for s in shares.values()) != order.total_amount:
            raise RuntimeError("participants' shares do not add up to the order")  # a bug
        names = {so.id: so.enterprise_name for so in order.supplier_orders}
        for participant in group_order.participants:
            share = shares.get(participant.id)
            if share is None:
                continue
            participant.supply_amount = share.supply
            participant.vat_amount = share.vat
            participant.total_amount = share.total
            participant.breakdown = [
                {
                    "supplier_order_id": so_id,
                    "enterprise_name": names[so_id],
                    "supply_amount": supply,
                    "vat_amount": vat,
                }
                for so_id, (supply, vat) in share.by_invoice.items()
            ]
        group_order.status = rules.transition(group_order.status, rules.CLOSED)
        group_order.order_id = order.id
        group_order.closed_at = utcnow()
        session.flush()
        record_group_order_closed(wiring, session, group_order, order)
        log.info("group_order_closed", group_order_id=group_order.id, order_id=order.id)

    return record


def _invoices(order: Order, item_nos: list[int]) -> list[rules.Invoice]:
    invoices = []
    for so in order.supplier_orders:
        lines = tuple(
            rules.InvoiceLine(
                item_no=item_nos[ln.order_line.line_no - 1],
                supply=ln.quantity * ln.unit_price,
                taxable=ln.tax_type == "taxable",
            )
            for ln in so.lines
        )
        if sum(ln.supply for ln in lines) != so.supply_amount:
            raise RuntimeError("supplier order lines do not add up to its supply")  # a bug
        invoices.append(rules.Invoice(key=so.id, vat=so.vat_amount, lines=lines))
    return invoices
