"""Use cases of the organiser (a buyer or institution admin): open a group order, list and
read their own, close early once the minimum is met, cancel."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger
from gachi_kit.paging import keyset_page
from orders.adapters.catalog_client import UnknownBrand
from orders.adapters.models import GroupOrder, GroupOrderItem
from orders.domain import group_orders as rules
from orders.domain.pricing import PricedLine, PricedProduct, RefusedLine
from orders.domain.rules import lead_time_met
from orders.services import idempotency, placing
from orders.services.group_orders import access, closing
from orders.services.published import record_group_order_opened
from orders.wiring import OrdersWiring

log = get_logger(__name__)


def open_group_order(
    wiring: OrdersWiring,
    fields: dict,
    actor: Principal,
    *,
    idempotency_key: str | None,
    raw_body: object,
) -> idempotency.Created[GroupOrder]:
    """Open a group order once per Idempotency-Key (a second click does not open a second
    one with another share code): the new group order, or the one the key opened."""
    placing.require_institution(wiring, actor)

    def create(remember: idempotency.Remember) -> GroupOrder:
        errors = rules.opening_problems(
            fields["deadline"], fields["needed_by"], utcnow(), fields["items"]
        )
        if errors:
            raise invalid(errors=errors)
        priced = _price_items(wiring, fields)
        for _attempt in range(5):
            try:
                with wiring.db.transaction() as session:
                    group_order = _new_group_order(session, fields, actor, priced)
                    session.add(group_order)
                    session.flush()
                    record_group_order_opened(wiring, session, group_order)
                    remember(session, group_order.id)
                break
            except IntegrityError:  # a share code drawn twice (1 in 10¹² per pair): again
                log.warning("share_code_collision")
        else:
            raise RuntimeError("could not draw a unique share code")
        log.info("group_order_opened", group_order_id=group_order.id)
        return group_order

    def opened_before(group_order_id: str) -> GroupOrder:
        return organiser_view(wiring, group_order_id, actor)

    return idempotency.run_once(wiring, actor, idempotency_key, raw_body, create, opened_before)


def list_group_orders(wiring: OrdersWiring, actor: Principal, query: dict) -> dict:
    """The caller's own (an admin: all), newest first; `query`: limit and cursor."""
    stmt = select(GroupOrder).options(*access.FULL)
    if actor.role != "admin":
        stmt = stmt.where(
            GroupOrder.institution_id == actor.org, GroupOrder.organiser_id == actor.sub
        )
    viewer = {"viewer": [actor.role, actor.org, actor.sub]}
    with wiring.db.reading() as session:
        page = keyset_page(
            session, stmt, query, order_by=(GroupOrder.id,), descending=True, filters=viewer
        )
    return page.as_dict()


def organiser_view(wiring: OrdersWiring, group_order_id: str, actor: Principal) -> GroupOrder:
    group_order = access.load(wiring, group_order_id)
    if group_order is None or not access.can_read(group_order, actor):
        raise access.not_found()
    return group_order


def close_early(wiring: OrdersWiring, group_order_id: str, actor: Principal) -> GroupOrder:
    """The organiser closes before (or after) the deadline once the minimum is met.

    Nothing changes when it cannot be placed now (no supplier, catalog down): the problem
    is returned and the group order stays open for the deadline to try again."""
    group_order = access.managed(wiring, group_order_id, actor)
    rules.transition(group_order.status, rules.CLOSED)  # refused: 409 (api/errors.py)
    total = group_order.total_quantity
    if not rules.minimum_met(total, group_order.minimum_quantity):
        raise Problem(
            409,
            "minimum_not_met",
            "최소 수량에 도달하지 않았습니다",
            f"지금까지 {total}개로 최소 수량 {group_order.minimum_quantity}개에 못 미칩니다.",
            current_state=group_order.status,
            total_quantity=total,
            minimum_quantity=group_order.minimum_quantity,
        )
    try:
        closing.place(wiring, group_order)
    except closing.Settled as settled:
        raise rules.InvalidTransition(settled.state, rules.CLOSED, rules.LABELS) from settled
    except closing.Changed as changed:
        raise Problem(
            409,
            "group_order_changed",
            "참여 수량이 방금 바뀌었습니다",
            "다시 불러온 뒤 마감하세요.",
            current_state=rules.OPEN,
        ) from changed
    return organiser_view(wiring, group_order_id, actor)


def cancel(wiring: OrdersWiring, group_order_id: str, actor: Principal, reason: str) -> GroupOrder:
    with wiring.db.transaction() as session:
        group_order = access.lock(session, group_order_id)
        if group_order is None or not access.can_manage(group_order, actor):
            raise access.not_found()
        rules.transition(group_order.status, rules.CANCELLED)
        closing.settle(
            wiring, session, group_order, rules.CANCELLED, "cancelled_by_organiser", reason
        )
    return organiser_view(wiring, group_order_id, actor)


# --- pricing at opening ----------------------------------------------------------------


def _price_items(wiring: OrdersWiring, fields: dict) -> list[PricedLine]:
    """One catalog call per opening (two when a product has a minimum order quantity).

    An item is priced at 1; a product refused only for its minimum order quantity is
    priced again at the most a group order may gather, because that minimum applies to
    the summed quantity when the group order closes (placement checks it then)."""
    items, needed_by, brand_code = fields["items"], fields["needed_by"], fields["brand_code"]
    targets = [access.item_target(i.get("product_id"), i.get("group_code")) for i in items]
    try:
        priced = list(
            wiring.catalog.price(
                [t | {"quantity": 1} for t in targets], needed_by, brand_code
            ).lines
        )
        again = [
            n
            for n, answer in enumerate(priced)
            if isinstance(answer, RefusedLine) and answer.code == "below_minimum_order"
        ]
        if again:
            lines = [targets[n] | {"quantity": rules.MAX_ITEM_TOTAL} for n in again]
            repriced = wiring.catalog.price(lines, needed_by, brand_code).lines
            for n, answer in zip(again, repriced, strict=True):
                priced[n] = answer
    except UnknownBrand as exc:  # catalog down is answered 503 (api/errors.py)
        raise placing.unknown_brand() from exc
    deadline_day = fields["deadline"].astimezone(rules.KST).date()
    errors = {}
    for index, answer in enumerate(priced):
        if isinstance(answer, RefusedLine):
            errors[str(index)] = {"code": answer.code, "detail": answer.detail}
        elif isinstance(answer, PricedProduct):
            lead = answer.snapshot.lead_time_days
            if not lead_time_met(lead, deadline_day, needed_by):
                errors[str(index)] = {
                    "code": "lead_time_not_met",
                    "detail": f"이 상품은 주문 후 {lead}일이 지나야 납품할 수 있어 "
                    "마감일 기준으로 납품 요청일을 맞출 수 없습니다.",
                }
    if errors:
        raise Problem(
            422,
            "group_order_items_invalid",
            "단체 구매에 넣을 수 없는 품목이 있습니다",
            f"{len(errors)}개 품목을 넣을 수 없습니다. errors.items를 확인하세요.",
            errors={"items": errors},
        )
    return priced


def _new_group_order(
    session, fields: dict, actor: Principal, priced: list[PricedLine]
) -> GroupOrder:
    code = rules.new_share_code()
    while session.scalar(select(GroupOrder.id).where(GroupOrder.share_code == code)):
        code = rules.new_share_code()
    group_order = GroupOrder(
        share_code=code,
        title=fields["title"].strip(),
        status=rules.OPEN,
        institution_id=actor.org,
        department=actor.dept,
        organiser_id=actor.sub,
        organiser_role=actor.role,
        brand_code=fields["brand_code"],
        delivery_address=fields["delivery_address"],
        delivery_sigungu_code=fields["delivery_sigungu_code"],
        needed_by=fields["needed_by"],
        memo=fields["memo"],
        deadline=fields["deadline"],
        minimum_quantity=fields["minimum_quantity"],
        close_attempts=0,
        participants=[],  # loaded (and empty), so the view after commit reads no more
    )
    for item_no, answer in enumerate(priced, start=1):
        if isinstance(answer, PricedProduct):
            snapshot = answer.snapshot
            item = GroupOrderItem(
                product_id=snapshot.product_id,
                name=snapshot.name,
                unit=snapshot.unit,
                unit_price=snapshot.unit_price,
            )
        else:
            group = answer.group
            item = GroupOrderItem(group_code=group.code, name=group.name, unit=group.unit)
        item.item_no = item_no
        group_order.items.append(item)
    return group_order
