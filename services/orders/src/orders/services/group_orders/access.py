"""Loading a group order, and the checks its use cases share (who may see or manage it,
whether it takes entries now, whether quantities are acceptable)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid
from gachi_kit.errors import not_found as not_found_problem
from gachi_kit.events import utcnow
from orders.adapters.models import GroupOrder, GroupOrderItem, GroupOrderParticipant
from orders.domain import group_orders as rules
from orders.wiring import OrdersWiring

ORGANISER_ROLES = ("buyer", "institution_admin")
# Everything a view or a use case reads: items and participants, each knowing its group
# order (an item's total and a participant's named quantities are computed from it).
FULL = (
    selectinload(GroupOrder.items).selectinload(GroupOrderItem.group_order),
    selectinload(GroupOrder.participants).selectinload(GroupOrderParticipant.group_order),
)


def load(wiring: OrdersWiring, group_order_id: str) -> GroupOrder | None:
    with wiring.db.reading() as session:
        return session.scalar(
            select(GroupOrder).where(GroupOrder.id == group_order_id).options(*FULL)
        )


def lock(session: Session, group_order_id: str) -> GroupOrder | None:
    """The group order row, locked for this transaction (SQLite: the writer lock)."""
    return session.scalar(
        select(GroupOrder)
        .where(GroupOrder.id == group_order_id)
        .options(*FULL)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def by_code(session: Session, raw_code: str, *, lock: bool = False) -> GroupOrder:
    code = rules.normalise_share_code(raw_code)
    group_order = None
    if code:
        query = select(GroupOrder).where(GroupOrder.share_code == code).options(*FULL)
        if lock:
            query = query.with_for_update()
        group_order = session.scalar(query)
    if group_order is None:
        raise not_found_problem("group_order", "단체 구매", "공유 코드를 확인해 주세요.")
    return group_order


def own(group_order: GroupOrder, participant_id: str, secret: str | None):
    """The participant, if the secret is theirs (the same answer for an unknown id)."""
    if not secret:
        raise Problem(
            403,
            "participant_secret_missing",
            "참여자 비밀 코드가 필요합니다",
            "참여할 때 받은 비밀 코드를 X-Participant-Secret 헤더로 보내세요.",
        )
    for participant in group_order.participants:
        if participant.id == participant_id and rules.secret_matches(
            secret, participant.secret_hash
        ):
            return participant
    raise Problem(
        403, "participant_secret_invalid", "참여자 비밀 코드가 맞지 않습니다", "다시 확인해 주세요."
    )


def managed(wiring: OrdersWiring, group_order_id: str, actor: Principal) -> GroupOrder:
    group_order = load(wiring, group_order_id)
    if group_order is None or not can_manage(group_order, actor):
        raise not_found()
    return group_order


def can_manage(group_order: GroupOrder, actor: Principal) -> bool:
    return (
        actor.role in ORGANISER_ROLES
        and actor.org == group_order.institution_id
        and actor.sub == group_order.organiser_id
    )


def can_read(group_order: GroupOrder, actor: Principal) -> bool:
    return actor.role == "admin" or can_manage(group_order, actor)


def check_entries(group_order: GroupOrder) -> None:
    try:
        rules.check_accepting_entries(group_order.status, group_order.deadline, utcnow())
    except rules.EntriesClosed as closed:
        raise Problem(
            409,
            "group_order_not_accepting",
            "참여 마감 시간이 지났습니다"
            if closed.current == rules.OPEN
            else "이미 마감된 단체 구매입니다",
            closed.reason,
            current_state=closed.current,
        ) from closed


def check_active(participant: GroupOrderParticipant) -> None:
    if participant.status != rules.ACTIVE:
        raise Problem(
            409,
            "participant_withdrawn",
            "이미 참여를 취소했습니다",
            "다시 참여하려면 공유 코드로 새로 참여하세요.",
            current_state=participant.status,
        )


def checked_quantities(group_order: GroupOrder, entries: list[dict]) -> list[dict]:
    problem = rules.quantities_problem(entries, [i.item_no for i in group_order.items])
    if problem:
        raise invalid("quantities", problem)
    quantities = rules.as_quantities(entries)
    return [{"item_no": n, "quantity": q} for n, q in sorted(quantities.items())]


def check_item_totals(group_order: GroupOrder) -> None:
    over = sorted(n for n, q in group_order.item_totals.items() if q > rules.MAX_ITEM_TOTAL)
    if over:
        raise invalid("quantities", f"품목 {over}의 합계가 {rules.MAX_ITEM_TOTAL:,}개를 넘습니다.")


def contact(raw: str) -> tuple[str, str]:
    normalised = rules.normalise_contact(raw)
    if normalised is None:
        raise invalid("contact", "휴대전화 번호(010-1234-5678)나 이메일 주소를 입력하세요.")
    return normalised


def item_target(product_id: str | None, group_code: str | None) -> dict:
    """What a group-order item names, as a pricing or order line names it."""
    return {"product_id": product_id} if product_id else {"group_code": group_code}


def not_found() -> Problem:
    return not_found_problem("group_order", "단체 구매")
