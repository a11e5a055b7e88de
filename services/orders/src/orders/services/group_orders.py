"""Use cases: group orders (단체 구매).

The organiser (a buyer or institution admin) opens one: every item is priced through
catalog at once, so unknown or discontinued products are refused before anyone joins.
Participants join with the share code and no account; a secret returned once (only its
hash is kept) lets each change or withdraw their quantities until the deadline.

Closing (the beat task at the deadline, or the organiser early once the minimum is met)
places one order through `placing.place` with the summed quantities, as the organiser.
Inside that order's own transaction the group order row is locked and checked: if
someone else closed or cancelled it meanwhile, or a quantity changed since we read it,
the whole order rolls back. So two closers racing place exactly one order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem
from gachi_kit.events import utcnow
from gachi_kit.http import UpstreamUnavailable
from gachi_kit.logging import get_logger
from orders.adapters.catalog_client import CatalogError, UnknownBrand
from orders.adapters.models import GroupOrder, GroupOrderItem, GroupOrderParticipant, Order
from orders.domain import group_orders as rules
from orders.services import idempotency, placing
from orders.wiring import Orders

log = get_logger(__name__)

ORGANISER_ROLES = ("buyer", "institution_admin")
_FULL = (selectinload(GroupOrder.items), selectinload(GroupOrder.participants))


# --- the organiser ---------------------------------------------------------------------


def open_group_order(
    o: Orders,
    fields: dict,
    actor: Principal,
    *,
    idempotency_key: str | None,
    raw_body: object,
    render: Callable[[dict], dict],
) -> tuple[int, dict, bool]:
    """Open a group order once per Idempotency-Key (a second click does not open a second
    one with another share code). Returns (status, organiser's view, replayed)."""
    placing.require_institution(o, actor)

    def create(remember) -> None:
        now = utcnow()
        errors = rules.opening_problems(
            fields["deadline"], fields["needed_by"], now, fields["items"]
        )
        if errors:
            raise Problem(422, "validation_failed", "입력값이 올바르지 않습니다", errors=errors)
        priced = _price_items(o, fields)
        for _attempt in range(5):
            try:
                with o.db.transaction() as session:
                    group_order = _new_group_order(session, fields, actor, priced)
                    session.add(group_order)
                    session.flush()
                    o.outbox.record(
                        session,
                        "group_order.opened",
                        _opened_data(group_order),
                        aggregate_id=group_order.id,
                    )
                    remember(session, render(_view(group_order, now, full=True)))
                break
            except IntegrityError:  # a share code drawn twice (1 in 10¹² per pair): again
                log.warning("share_code_collision")
        else:
            raise RuntimeError("could not draw a unique share code")
        log.info("group_order_opened", group_order_id=group_order.id)

    return idempotency.run_once(o, actor, idempotency_key, raw_body, create)


def list_group_orders(o: Orders, actor: Principal, limit: int, cursor: str | None) -> dict:
    query = select(GroupOrder).options(*_FULL).order_by(GroupOrder.id.desc()).limit(limit + 1)
    if actor.role != "admin":
        query = query.where(
            GroupOrder.institution_id == actor.org, GroupOrder.organiser_id == actor.sub
        )
    if cursor:
        query = query.where(GroupOrder.id < cursor)
    with o.db.reading() as session:
        rows = list(session.scalars(query))
    now = utcnow()
    items = [_view(g, now, full=True) for g in rows[:limit]]
    return {"items": items, "next_cursor": rows[limit - 1].id if len(rows) > limit else None}


def organiser_view(o: Orders, group_order_id: str, actor: Principal) -> dict:
    with o.db.reading() as session:
        group_order = session.scalar(
            select(GroupOrder).where(GroupOrder.id == group_order_id).options(*_FULL)
        )
    if group_order is None or not _can_read(group_order, actor):
        raise _not_found()
    return _view(group_order, utcnow(), full=True)


def close_early(o: Orders, group_order_id: str, actor: Principal) -> dict:
    """The organiser closes before (or after) the deadline once the minimum is met.

    Nothing changes when it cannot be placed now (no supplier, catalog down): the problem
    is returned and the group order stays open for the deadline to try again."""
    group_order = _managed(o, group_order_id, actor)
    _check_transition(group_order.status, rules.CLOSED)
    total = sum(_totals(group_order).values())
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
        _place(o, group_order)
    except _Settled as settled:
        raise _invalid_transition(settled.state, rules.CLOSED) from settled
    except _Changed as changed:
        raise Problem(
            409,
            "group_order_changed",
            "참여 수량이 방금 바뀌었습니다",
            "다시 불러온 뒤 마감하세요.",
            current_state=rules.OPEN,
        ) from changed
    return organiser_view(o, group_order_id, actor)


def cancel(o: Orders, group_order_id: str, actor: Principal, reason: str) -> dict:
    with o.db.transaction() as session:
        group_order = _lock(session, group_order_id)
        if group_order is None or not _can_manage(group_order, actor):
            raise _not_found()
        _check_transition(group_order.status, rules.CANCELLED)
        _settle(o, session, group_order, rules.CANCELLED, "cancelled_by_organiser", reason)
    return organiser_view(o, group_order_id, actor)


# --- the beat: closing what is due -----------------------------------------------------


def close_due(o: Orders, limit: int = 100) -> int:
    """Close every open group order past its deadline; returns how many reached a verdict
    (closed, cancelled or failed). One failing group order never stops the others."""
    with o.db.reading() as session:
        due = session.scalars(
            select(GroupOrder.id)
            .where(GroupOrder.status == rules.OPEN, GroupOrder.deadline <= utcnow())
            .order_by(GroupOrder.deadline)
            .limit(limit)
        ).all()
    settled = 0
    for group_order_id in due:
        try:
            settled += close_at_deadline(o, group_order_id)
        except Exception as exc:  # a bug or an outage: log, count the attempt, go on
            log.exception("group_order_close_error", group_order_id=group_order_id)
            _count_attempt(o, group_order_id, f"예기치 못한 오류: {type(exc).__name__}")
    return settled


def close_at_deadline(o: Orders, group_order_id: str) -> bool:
    with o.db.reading() as session:
        group_order = session.scalar(
            select(GroupOrder).where(GroupOrder.id == group_order_id).options(*_FULL)
        )
    if group_order is None or group_order.status != rules.OPEN:
        return False
    if group_order.deadline > utcnow():
        return False
    if not rules.minimum_met(sum(_totals(group_order).values()), group_order.minimum_quantity):
        return _cancel_below_minimum(o, group_order_id)
    try:
        _place(o, group_order)
    except (_Settled, _Changed):
        return False  # someone else settled it, or a last change landed: next minute
    except Problem as problem:
        if problem.status >= 500:  # catalog down: stays open (joins refused), next minute
            _count_attempt(o, group_order_id, problem.detail or problem.title)
            return False
        return _fail(o, group_order_id, problem)
    return True


def _cancel_below_minimum(o: Orders, group_order_id: str) -> bool:
    with o.db.transaction() as session:
        group_order = _lock(session, group_order_id)
        if group_order.status != rules.OPEN:
            return False
        total = sum(_totals(group_order).values())
        if rules.minimum_met(total, group_order.minimum_quantity):
            return False  # a change committed just before the deadline: place it next time
        reason = (
            f"마감까지 모인 수량 {total}개가 최소 수량 {group_order.minimum_quantity}개에 "
            "못 미쳐 단체 구매가 취소되었습니다."
        )
        _settle(o, session, group_order, rules.CANCELLED, "minimum_not_met", reason)
    return True


def _fail(o: Orders, group_order_id: str, problem: Problem) -> bool:
    with o.db.transaction() as session:
        group_order = _lock(session, group_order_id)
        if group_order.status != rules.OPEN:
            return False
        reason = problem.detail or problem.title
        _settle(
            o,
            session,
            group_order,
            rules.FAILED,
            problem.code,
            f"주문을 넣지 못했습니다: {reason}",
            failure=problem.to_dict(),
        )
    log.warning("group_order_failed", group_order_id=group_order_id, code=problem.code)
    return True


def _count_attempt(o: Orders, group_order_id: str, error: str) -> None:
    with o.db.transaction() as session:
        group_order = _lock(session, group_order_id)
        if group_order is None or group_order.status != rules.OPEN:
            return
        group_order.close_attempts += 1
        group_order.last_close_error = error[:500]
        if group_order.close_attempts >= rules.MAX_CLOSE_ATTEMPTS:
            _settle(
                o,
                session,
                group_order,
                rules.FAILED,
                "close_attempts_exhausted",
                f"{group_order.close_attempts}번 시도했지만 주문을 넣지 못했습니다: {error}",
                failure={"code": "close_attempts_exhausted", "detail": error},
            )


# --- participants (no account: the share code, then the participant's secret) ----------


def public_view(o: Orders, code: str) -> dict:
    with o.db.reading() as session:
        group_order = _by_code(session, code)
    return _view(group_order, utcnow(), full=False)


def join(o: Orders, code: str, fields: dict) -> dict:
    contact = _contact(fields["contact"])
    secret = rules.new_secret()
    with o.db.transaction() as session:
        group_order = _by_code(session, code, lock=True)
        _check_entries(group_order)
        quantities = _checked_quantities(group_order, fields["quantities"])
        active = [p for p in group_order.participants if p.status == rules.ACTIVE]
        if len(active) >= rules.MAX_PARTICIPANTS:
            raise Problem(
                409,
                "group_order_full",
                "참여 인원이 가득 찼습니다",
                f"한 단체 구매에는 {rules.MAX_PARTICIPANTS}명까지 참여할 수 있습니다.",
                current_state=group_order.status,
            )
        participant = GroupOrderParticipant(
            name=fields["name"].strip(),
            contact=contact[1],
            contact_kind=contact[0],
            secret_hash=rules.hash_secret(secret),
            status=rules.ACTIVE,
            quantities=quantities,
        )
        group_order.participants.append(participant)
        _check_item_totals(group_order)
        session.flush()
    log.info("group_order_joined", group_order_id=group_order.id, participant_id=participant.id)
    return participant_view(o, code, participant.id, secret) | {"secret": secret}


def participant_view(o: Orders, code: str, participant_id: str, secret: str | None) -> dict:
    with o.db.reading() as session:
        group_order = _by_code(session, code)
        participant = _own(group_order, participant_id, secret)
    return _participant(participant, group_order) | {
        "group_order": _view(group_order, utcnow(), full=False)
    }


def change(o: Orders, code: str, participant_id: str, secret: str | None, fields: dict) -> dict:
    """Replace the participant's quantities (an item left out is 0)."""
    with o.db.transaction() as session:
        group_order = _by_code(session, code, lock=True)
        participant = _own(group_order, participant_id, secret)
        _check_entries(group_order)
        _check_active(participant)
        participant.quantities = _checked_quantities(group_order, fields["quantities"])
        _check_item_totals(group_order)
    return participant_view(o, code, participant_id, secret)


def withdraw(o: Orders, code: str, participant_id: str, secret: str | None) -> dict:
    with o.db.transaction() as session:
        group_order = _by_code(session, code, lock=True)
        participant = _own(group_order, participant_id, secret)
        _check_entries(group_order)
        _check_active(participant)
        participant.status = rules.WITHDRAWN
        participant.quantities = []
    return participant_view(o, code, participant_id, secret)


# --- placing the order -----------------------------------------------------------------


class _Settled(Exception):
    """Someone else closed or cancelled the group order first."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class _Changed(Exception):
    """A participant's quantities changed between reading them and locking the row."""


@dataclass(frozen=True)
class _Planned:
    quantities: dict[str, dict[int, int]]  # participant id → {item_no: quantity}
    item_nos: list[int]  # item of each order line, in line order


def _place(o: Orders, group_order: GroupOrder) -> Order:
    totals = _totals(group_order)
    ordered = [item for item in group_order.items if totals.get(item.item_no)]
    planned = _Planned(
        quantities=_active_quantities(group_order), item_nos=[i.item_no for i in ordered]
    )
    lines = [
        _target({"product_id": i.product_id, "group_code": i.group_code})
        | {"quantity": totals[i.item_no]}
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
    institution = placing.require_institution(o, organiser)
    return placing.place(
        o, fields, organiser, institution, on_transaction=_recorder(o, group_order.id, planned)
    )


def _recorder(o: Orders, group_order_id: str, planned: _Planned) -> Callable:
    def record(session: Session, order: Order) -> None:
        group_order = _lock(session, group_order_id)
        if group_order.status != rules.OPEN:
            raise _Settled(group_order.status)
        if _active_quantities(group_order) != planned.quantities:
            raise _Changed()
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
        o.outbox.record(
            session,
            "group_order.closed",
            _event_base(group_order)
            | {
                "order_id": order.id,
                "supply_amount": order.supply_amount,
                "vat_amount": order.vat_amount,
                "total_amount": order.total_amount,
                "participants": [
                    _participant_data(p, group_order, amounts=True) for p in _active(group_order)
                ],
            },
            aggregate_id=group_order.id,
        )
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


def _settle(
    o: Orders,
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
    totals = _totals(group_order)
    o.outbox.record(
        session,
        f"group_order.{target}",
        _event_base(group_order)
        | {
            "reason_code": reason_code,
            "reason": reason,
            "total_quantity": sum(totals.values()),
            "minimum_quantity": group_order.minimum_quantity,
            "participants": [
                _participant_data(p, group_order, amounts=False) for p in _active(group_order)
            ],
        }
        | ({"problem": failure} if failure else {}),
        aggregate_id=group_order.id,
    )


# --- pricing at opening ----------------------------------------------------------------


def _price_items(o: Orders, fields: dict) -> list[dict]:
    """One catalog call per opening (two when a product has a minimum order quantity).

    An item is priced at 1; a product refused only for its minimum order quantity is
    priced again at the most a group order may gather, because that minimum applies to
    the summed quantity when the group order closes (placement checks it then)."""
    items, needed_by, brand_code = fields["items"], fields["needed_by"], fields["brand_code"]
    try:
        priced = o.catalog.price(
            [_target(i) | {"quantity": 1} for i in items], needed_by, brand_code
        )
        again = [
            n
            for n, a in enumerate(priced)
            if a.get("error", {}).get("code") == "below_minimum_order"
        ]
        if again:
            lines = [_target(items[n]) | {"quantity": rules.MAX_ITEM_TOTAL} for n in again]
            for n, answer in zip(again, o.catalog.price(lines, needed_by, brand_code), strict=True):
                priced[n] = answer
    except UnknownBrand as exc:
        raise placing.unknown_brand() from exc
    except (UpstreamUnavailable, CatalogError) as exc:
        log.warning("catalog_unavailable", error=str(exc))
        raise placing.catalog_unavailable() from exc
    deadline_day = fields["deadline"].astimezone(rules.KST).date()
    errors = {}
    for index, answer in enumerate(priced):
        if "error" in answer:
            errors[str(index)] = dict(answer["error"])
        elif "snapshot" in answer:
            lead = answer["snapshot"].get("lead_time_days") or 0
            if (needed_by - deadline_day).days < lead:
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


def _target(item: dict) -> dict:
    if item.get("product_id"):
        return {"product_id": item["product_id"]}
    return {"group_code": item["group_code"]}


def _new_group_order(session, fields: dict, actor: Principal, priced: list[dict]) -> GroupOrder:
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
    )
    for item_no, answer in enumerate(priced, start=1):
        if "snapshot" in answer:
            snap = answer["snapshot"]
            item = GroupOrderItem(
                product_id=snap["product_id"],
                name=snap["name"],
                unit=snap["unit"],
                unit_price=snap["unit_price"],
            )
        else:
            group = answer["group"]
            item = GroupOrderItem(group_code=group["code"], name=group["name"], unit=group["unit"])
        item.item_no = item_no
        group_order.items.append(item)
    return group_order


# --- reading and checking --------------------------------------------------------------


def _lock(session: Session, group_order_id: str) -> GroupOrder | None:
    """The group order row, locked for this transaction (SQLite: the writer lock)."""
    return session.scalar(
        select(GroupOrder)
        .where(GroupOrder.id == group_order_id)
        .options(*_FULL)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _by_code(session: Session, raw_code: str, *, lock: bool = False) -> GroupOrder:
    code = rules.normalise_share_code(raw_code)
    group_order = None
    if code:
        query = select(GroupOrder).where(GroupOrder.share_code == code).options(*_FULL)
        if lock:
            query = query.with_for_update()
        group_order = session.scalar(query)
    if group_order is None:
        raise Problem(
            404,
            "group_order_not_found",
            "단체 구매를 찾을 수 없습니다",
            "공유 코드를 확인해 주세요.",
        )
    return group_order


def _own(group_order: GroupOrder, participant_id: str, secret: str | None):
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


def _managed(o: Orders, group_order_id: str, actor: Principal) -> GroupOrder:
    with o.db.reading() as session:
        group_order = session.scalar(
            select(GroupOrder).where(GroupOrder.id == group_order_id).options(*_FULL)
        )
    if group_order is None or not _can_manage(group_order, actor):
        raise _not_found()
    return group_order


def _can_manage(group_order: GroupOrder, actor: Principal) -> bool:
    return (
        actor.role in ORGANISER_ROLES
        and actor.org == group_order.institution_id
        and actor.sub == group_order.organiser_id
    )


def _can_read(group_order: GroupOrder, actor: Principal) -> bool:
    return actor.role == "admin" or _can_manage(group_order, actor)


def _check_transition(current: str, target: str) -> None:
    try:
        rules.transition(current, target)
    except rules.InvalidTransition as exc:
        raise _invalid_transition(current, target) from exc


def _invalid_transition(current: str, target: str) -> Problem:
    verb = {rules.CLOSED: "마감", rules.CANCELLED: "취소"}.get(target, target)
    return Problem(
        409,
        "invalid_transition",
        f"지금 상태에서는 {verb}할 수 없습니다",
        f"이미 {rules.LABELS[current]} 상태인 단체 구매입니다.",
        current_state=current,
    )


def _check_entries(group_order: GroupOrder) -> None:
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


def _check_active(participant: GroupOrderParticipant) -> None:
    if participant.status != rules.ACTIVE:
        raise Problem(
            409,
            "participant_withdrawn",
            "이미 참여를 취소했습니다",
            "다시 참여하려면 공유 코드로 새로 참여하세요.",
            current_state=participant.status,
        )


def _checked_quantities(group_order: GroupOrder, entries: list[dict]) -> list[dict]:
    problem = rules.quantities_problem(entries, [i.item_no for i in group_order.items])
    if problem:
        raise Problem(
            422, "validation_failed", "입력값이 올바르지 않습니다", errors={"quantities": [problem]}
        )
    quantities = rules.as_quantities(entries)
    return [{"item_no": n, "quantity": q} for n, q in sorted(quantities.items())]


def _check_item_totals(group_order: GroupOrder) -> None:
    over = sorted(n for n, q in _totals(group_order).items() if q > rules.MAX_ITEM_TOTAL)
    if over:
        raise Problem(
            422,
            "validation_failed",
            "입력값이 올바르지 않습니다",
            errors={"quantities": [f"품목 {over}의 합계가 {rules.MAX_ITEM_TOTAL:,}개를 넘습니다."]},
        )


def _contact(raw: str) -> tuple[str, str]:
    contact = rules.normalise_contact(raw)
    if contact is None:
        raise Problem(
            422,
            "validation_failed",
            "입력값이 올바르지 않습니다",
            errors={"contact": ["휴대전화 번호(010-1234-5678)나 이메일 주소를 입력하세요."]},
        )
    return contact


def _active(group_order: GroupOrder) -> list[GroupOrderParticipant]:
    return [p for p in group_order.participants if p.status == rules.ACTIVE]


def _active_quantities(group_order: GroupOrder) -> dict[str, dict[int, int]]:
    return {p.id: rules.as_quantities(p.quantities) for p in _active(group_order)}


def _totals(group_order: GroupOrder) -> dict[int, int]:
    return rules.item_totals(_active_quantities(group_order).values())


def _not_found() -> Problem:
    return Problem(404, "group_order_not_found", "단체 구매를 찾을 수 없습니다")


# --- what callers see, and what events say ---------------------------------------------


def _view(group_order: GroupOrder, now: datetime, *, full: bool) -> dict:
    """The public view (anyone with the code); `full` adds what only the organiser sees."""
    totals = _totals(group_order)
    total = sum(totals.values())
    view = {
        "share_code": group_order.share_code,
        "title": group_order.title,
        "status": group_order.status,
        "status_label": rules.LABELS[group_order.status],
        "deadline": group_order.deadline,
        "accepting": rules.accepting_entries(group_order.status, group_order.deadline, now),
        "minimum_quantity": group_order.minimum_quantity,
        "total_quantity": total,
        "minimum_met": rules.minimum_met(total, group_order.minimum_quantity),
        "participant_count": len(_active(group_order)),
        "needed_by": group_order.needed_by,
        "delivery_address": group_order.delivery_address,
        "brand_code": group_order.brand_code,
        "memo": group_order.memo,
        "items": [
            {
                "item_no": item.item_no,
                "product_id": item.product_id,
                "group_code": item.group_code,
                "name": item.name,
                "unit": item.unit,
                "unit_price": item.unit_price,
                "total_quantity": totals.get(item.item_no, 0),
            }
            for item in group_order.items
        ],
    }
    if not full:
        return view
    return view | {
        "id": group_order.id,
        "institution_id": group_order.institution_id,
        "department": group_order.department,
        "organiser_id": group_order.organiser_id,
        "delivery_sigungu_code": group_order.delivery_sigungu_code,
        "order_id": group_order.order_id,
        "status_reason": group_order.status_reason,
        "failure": group_order.failure,
        "close_attempts": group_order.close_attempts,
        "last_close_error": group_order.last_close_error,
        "created_at": group_order.created_at,
        "closed_at": group_order.closed_at,
        "participants": [_participant(p, group_order) for p in group_order.participants],
    }


def _participant(participant: GroupOrderParticipant, group_order: GroupOrder) -> dict:
    return {
        "id": participant.id,
        "name": participant.name,
        "contact": participant.contact,
        "contact_kind": participant.contact_kind,
        "status": participant.status,
        "quantities": _named_quantities(participant, group_order),
        "supply_amount": participant.supply_amount,
        "vat_amount": participant.vat_amount,
        "total_amount": participant.total_amount,
        "breakdown": participant.breakdown,
        "joined_at": participant.joined_at,
        "updated_at": participant.updated_at,
    }


def _named_quantities(participant: GroupOrderParticipant, group_order: GroupOrder) -> list:
    items = {i.item_no: i for i in group_order.items}
    return [
        {
            "item_no": q["item_no"],
            "name": items[q["item_no"]].name,
            "unit": items[q["item_no"]].unit,
            "quantity": q["quantity"],
        }
        for q in participant.quantities
    ]


def _event_base(group_order: GroupOrder) -> dict:
    return {
        "group_order_id": group_order.id,
        "title": group_order.title,
        "status": group_order.status,
        "institution_id": group_order.institution_id,
        "department": group_order.department,
        "organiser_id": group_order.organiser_id,
        "deadline": group_order.deadline.isoformat(),
        "needed_by": group_order.needed_by.isoformat(),
    }


def _opened_data(group_order: GroupOrder) -> dict:
    return _event_base(group_order) | {
        "share_code": group_order.share_code,
        "minimum_quantity": group_order.minimum_quantity,
        "brand_code": group_order.brand_code,
        "items": [
            {
                "item_no": i.item_no,
                "product_id": i.product_id,
                "group_code": i.group_code,
                "name": i.name,
                "unit": i.unit,
            }
            for i in group_order.items
        ],
    }


def _participant_data(
    participant: GroupOrderParticipant, group_order: GroupOrder, *, amounts: bool
) -> dict:
    data = {
        "participant_id": participant.id,
        "name": participant.name,
        "contact": participant.contact,
        "contact_kind": participant.contact_kind,
        "quantities": _named_quantities(participant, group_order),
    }
    if amounts:
        data |= {
            "supply_amount": participant.supply_amount,
            "vat_amount": participant.vat_amount,
            "amount": participant.total_amount,
        }
    return data
