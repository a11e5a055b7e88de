"""Use cases of participants: no account, the share code, then the secret they got when
joining. Each change is one transaction on the locked group order row, so the item totals
never pass the cap and nothing lands after the deadline."""

from __future__ import annotations

from gachi_kit.errors import Problem
from gachi_kit.logging import get_logger
from orders.adapters.models import GroupOrder, GroupOrderParticipant
from orders.domain import group_orders as rules
from orders.services.group_orders import access
from orders.wiring import OrdersWiring

log = get_logger(__name__)


def public_view(wiring: OrdersWiring, code: str) -> GroupOrder:
    with wiring.db.reading() as session:
        return access.by_code(session, code)


def join(wiring: OrdersWiring, code: str, fields: dict) -> GroupOrderParticipant:
    """The new participant, carrying its plain `secret` (shown this once)."""
    contact_kind, contact = access.contact(fields["contact"])
    secret = rules.new_secret()
    with wiring.db.transaction() as session:
        group_order = access.by_code(session, code, lock=True)
        access.check_entries(group_order)
        quantities = access.checked_quantities(group_order, fields["quantities"])
        if len(group_order.active_participants) >= rules.MAX_PARTICIPANTS:
            raise Problem(
                409,
                "group_order_full",
                "참여 인원이 가득 찼습니다",
                f"한 단체 구매에는 {rules.MAX_PARTICIPANTS}명까지 참여할 수 있습니다.",
                current_state=group_order.status,
            )
        participant = GroupOrderParticipant(
            name=fields["name"].strip(),
            contact=contact,
            contact_kind=contact_kind,
            secret_hash=rules.hash_secret(secret),
            status=rules.ACTIVE,
            quantities=quantities,
        )
        group_order.participants.append(participant)
        access.check_item_totals(group_order)
        session.flush()
    log.info("group_order_joined", group_order_id=group_order.id, participant_id=participant.id)
    joined = participant_view(wiring, code, participant.id, secret)
    joined.secret = secret
    return joined


def participant_view(
    wiring: OrdersWiring, code: str, participant_id: str, secret: str | None
) -> GroupOrderParticipant:
    """One's own entry, with its group order (the public view of it)."""
    with wiring.db.reading() as session:
        return access.own(access.by_code(session, code), participant_id, secret)


def change(
    wiring: OrdersWiring, code: str, participant_id: str, secret: str | None, fields: dict
) -> GroupOrderParticipant:
    """Replace the participant's quantities (an item left out is 0)."""
    with wiring.db.transaction() as session:
        group_order, participant = _editable(session, code, participant_id, secret)
        participant.quantities = access.checked_quantities(group_order, fields["quantities"])
        access.check_item_totals(group_order)
    return participant_view(wiring, code, participant_id, secret)


def withdraw(
    wiring: OrdersWiring, code: str, participant_id: str, secret: str | None
) -> GroupOrderParticipant:
    with wiring.db.transaction() as session:
        _group_order, participant = _editable(session, code, participant_id, secret)
        participant.status = rules.WITHDRAWN
        participant.quantities = []
    return participant_view(wiring, code, participant_id, secret)


def _editable(
    session, code: str, participant_id: str, secret: str | None
) -> tuple[GroupOrder, GroupOrderParticipant]:
    """The locked group order and the caller's own entry, while both still take changes."""
    group_order = access.by_code(session, code, lock=True)
    participant = access.own(group_order, participant_id, secret)
    access.check_entries(group_order)
    access.check_active(participant)
    return group_order, participant
