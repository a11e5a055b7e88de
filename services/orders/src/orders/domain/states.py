"""The supplier-order state machine (DESIGN.md: Orders, split and routing).

pending → accepted | partially_accepted | declined | expired → in_production → shipped →
delivered → inspected (검수) → invoiced → paid; cancelled from the states before shipping.
A supplier order is never deleted, only moved to a final state.
"""

from __future__ import annotations

from gachi_kit.domain_errors import DomainError

PENDING = "pending"
ACCEPTED = "accepted"
PARTIALLY_ACCEPTED = "partially_accepted"
DECLINED = "declined"
EXPIRED = "expired"
IN_PRODUCTION = "in_production"
SHIPPED = "shipped"
DELIVERED = "delivered"
INSPECTED = "inspected"
INVOICED = "invoiced"
PAID = "paid"
CANCELLED = "cancelled"

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({ACCEPTED, PARTIALLY_ACCEPTED, DECLINED, EXPIRED, CANCELLED}),
    ACCEPTED: frozenset({IN_PRODUCTION, SHIPPED, CANCELLED}),
    PARTIALLY_ACCEPTED: frozenset({IN_PRODUCTION, SHIPPED, CANCELLED}),
    IN_PRODUCTION: frozenset({SHIPPED, CANCELLED}),
    SHIPPED: frozenset({DELIVERED}),
    DELIVERED: frozenset({INSPECTED}),
    INSPECTED: frozenset({INVOICED}),
    INVOICED: frozenset({PAID}),
    DECLINED: frozenset(),
    EXPIRED: frozenset(),
    CANCELLED: frozenset(),
    PAID: frozenset(),
}
STATES = frozenset(TRANSITIONS)
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# Supplier orders whose goods the buyer will not receive: they carry no amounts.
VOID = frozenset({DECLINED, EXPIRED, CANCELLED})
CANCELLABLE = frozenset(s for s, targets in TRANSITIONS.items() if CANCELLED in targets)

LABELS = {
    PENDING: "수락 대기",
    ACCEPTED: "수락",
    PARTIALLY_ACCEPTED: "부분 수락",
    DECLINED: "거절",
    EXPIRED: "기한 만료",
    IN_PRODUCTION: "생산 중",
    SHIPPED: "배송 중",
    DELIVERED: "납품 완료",
    INSPECTED: "검수 완료",
    INVOICED: "세금계산서 발행",
    PAID: "대금 지급",
    CANCELLED: "취소",
}


class InvalidTransition(DomainError):
    """The state machine does not allow this move now (answered 409 `invalid_transition`
    with `current_state`; the mapping is registered in `create_app`)."""

    def __init__(self, current: str, target: str, labels: dict[str, str] = LABELS) -> None:
        super().__init__(f"{current} → {target}")
        self.current = current
        self.target = target
        self.detail = (
            f"'{labels.get(current, current)}' 상태라 "
            f"'{labels.get(target, target)}'(으)로 바꿀 수 없습니다."
        )


def transition(
    current: str, target: str, table: dict = TRANSITIONS, labels: dict[str, str] = LABELS
) -> str:
    """`target` if `table` allows it from `current` (any state machine of orders' domain;
    `labels` name its states in Korean)."""
    if target not in table.get(current, frozenset()):
        raise InvalidTransition(current, target, labels)
    return target


def after_acceptance(requested: list[int], accepted: list[int]) -> str:
    """The state an enterprise's answer puts a pending supplier order in."""
    if len(requested) != len(accepted) or not requested:
        raise ValueError("one accepted quantity per line")
    if any(a < 0 or a > r for r, a in zip(requested, accepted, strict=True)):
        raise ValueError("accepted quantity must be between 0 and the quantity ordered")
    if sum(accepted) == 0:
        return DECLINED
    if accepted == requested:
        return ACCEPTED
    return PARTIALLY_ACCEPTED
