"""Use case: react to an event from another service, exactly once per event id.

One transaction (the kit's `consume_all`: one for all the events of a message on their
first hand-over) records the event ids, updates what notify tracks (subscriptions from
enterprise contacts, its copy of each supplier order and its reminder), and writes the
inbox items and delivery rows. Only after that commit are the deliveries enqueued as
`notify.send_deliveries` / `send_delivery` tasks; if that enqueue is lost, the sweep finds
the rows (deliveries.sweep).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gachi_kit import dead_events
from gachi_kit.auth import Principal
from gachi_kit.consumer import DEAD, DONE, consume_all
from gachi_kit.events import Envelope, as_utc
from gachi_kit.logging import get_logger
from gachi_kit.receipts import received_ids
from notify.adapters.models import InboundEvent, SupplierOrderCopy
from notify.domain.catalogue import ACKNOWLEDGEMENTS, EVENT_TYPES
from notify.domain.texts import STATE_RANK
from notify.services import account_mail, subscriptions
from notify.services.dispatch import NewRows, fan_out
from notify.wiring import Notify, Queued

log = get_logger(__name__)
MALFORMED = "malformed"
# in session.info: the transaction's supplier-order copies, and the rows its fan-outs add
_COPIES_READ, _NEW_ROWS = "supplier_order_copies", "new_rows"


def handle_event(n: Notify, raw: dict, first_delivery: bool = False) -> str:
    """One event, from its own message (a replay, a resend, a producer's lone event)."""
    return handle_events(n, [raw], first_delivery)[0]


def handle_events(n: Notify, raws: list[dict], first_delivery: bool = False) -> list[str]:
    """The events of one message (what a producer committed together, in order): each one's
    result. An event that failed raises once the others took effect, and the task retries
    the message."""
    (results,), failure = handle_messages(n, [(raws, first_delivery)])
    if failure is not None:
        raise failure
    return results


def handle_messages(
    n: Notify, messages: list[tuple[list[dict], bool]]
) -> tuple[list[list[str | None]], Exception | None]:
    """The events of several messages, as the events worker takes them off its queue
    together (tasks.py): each message is its events and whether it is on its first
    hand-over. The events of all first hand-overs are recorded and applied in one
    transaction (`consume_all`), the others each on its own; the deliveries of every event
    that took effect are enqueued together, after commit. Returns each message's results
    (None for an event that raised: its caller retries it; MALFORMED for each event of a
    message that is not a list of envelopes, which no retry would mend) and the first
    error."""
    parsed = [(_envelopes(raws), first) for raws, first in messages]
    flat = [(envelope, first) for envelopes, first in parsed for envelope in envelopes or ()]
    queued: dict[str, list[Queued]] = {}

    together: list[Envelope] = []  # the events consume_all is given

    def handler(session: Session, event: Envelope) -> None:
        # the batch's first event, in the batch's transaction (or, after a rollback, in its
        # own: once, not again in each event's)
        if event is together[0]:
            _look_up_copies(session, together)
        rows = session.info.setdefault(_NEW_ROWS, NewRows())
        queued[event.id] = _apply(n, session, event, rows)  # a later attempt replaces its own

    def finish(session: Session) -> None:  # after the transaction's handlers
        if rows := session.info.get(_NEW_ROWS):
            rows.insert(session)

    results: list[str | None] = [None] * len(flat)  # by position: an event may come twice
    failure = None
    for first in (True, False):
        positions = [at for at, (_, on_first) in enumerate(flat) if on_first is first]
        if not positions:
            continue
        together[:] = [flat[at][0] for at in positions]
        outcome, error = consume_all(
            n.db,
            InboundEvent,
            together,
            handler,
            max_attempts=n.settings.max_event_attempts,
            first_delivery=first,
            finish=finish,
        )
        for at, result in zip(positions, outcome, strict=True):
            results[at] = result
        failure = failure or error
    # DONE: the last handler run of that event is the one that committed
    to_send = [
        item
        for (envelope, _), result in zip(flat, results, strict=True)
        if result == DONE
        for item in queued[envelope.id]
    ]
    if to_send:
        n.enqueue(to_send)
    for (envelope, _), result in zip(flat, results, strict=True):
        if result == DEAD:
            _keep_for_replay(n, envelope)
    by_message, start = [], 0
    for (raws, _), (envelopes, _) in zip(messages, parsed, strict=True):
        if envelopes is None:
            by_message.append([MALFORMED] * len(raws))
            continue
        by_message.append(results[start : start + len(envelopes)])
        start += len(envelopes)
    return by_message, failure


def _envelopes(raws: list) -> list[Envelope] | None:
    try:
        return [Envelope.from_dict(raw) for raw in raws]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.error("event_message_malformed", error=repr(exc)[:500])
        return None


def _keep_for_replay(n: Notify, envelope: Envelope) -> None:
    with n.db.transaction() as session:
        row = session.get(InboundEvent, envelope.id)
        if row is not None and row.envelope is None:
            row.envelope = envelope.to_dict()


def replay_dead(n: Notify, event_id: str, by: Principal) -> dict:
    """Operator: queue a dead event once more for notify's handler, from the envelope
    `_keep_for_replay` kept."""
    return dead_events.replay_dead(
        n.db,
        InboundEvent,
        event_id,
        by,
        envelope_of=lambda _session, row: row.envelope,
        send=n.replay_event,
    )


def received(n: Notify, ids: list[str]) -> set[str]:
    """Which of these event ids notify has received, whatever became of them since."""
    return received_ids(n.db, InboundEvent, ids)


def list_dead(n: Notify, query: dict) -> dict:
    """Events parked as dead after their attempts ran out, newest first (operators)."""
    return dead_events.list_dead(n.db, InboundEvent, query)


def _apply(n: Notify, session: Session, envelope: Envelope, rows: NewRows) -> list[Queued]:
    kind, data = envelope.type, envelope.data
    if kind in account_mail.ACCOUNT_EVENTS:
        return account_mail.deliver(n, session, envelope)
    if kind == "enterprise.registered":
        subscriptions.create_defaults(session, data)
    elif kind == "enterprise.updated":
        subscriptions.follow_contacts(session, data)
    known = track_supplier_orders(session, envelope)
    if kind not in EVENT_TYPES:
        log.info("event_ignored", type=kind, event_id=envelope.id)
        return []
    return fan_out(
        n,
        session,
        event_id=envelope.id,
        event_type=kind,
        occurred_at=envelope.occurred_at,
        data=data,
        known=known,
        rows=rows,
    )


def track_supplier_orders(session: Session, envelope: Envelope) -> dict:
    """Keep notify's copy of supplier orders current; returns what is known of the one the
    event is about (its creation data, department, buyer) for the message."""
    kind, data = envelope.type, envelope.data
    if kind == "order.placed":
        parts = data.get("supplier_orders") or []
        copies = _copies(session, [part["supplier_order_id"] for part in parts])
        for part in parts:
            copy = copies[part["supplier_order_id"]]
            copy.enterprise_id = copy.enterprise_id or part.get("enterprise_id")
            copy.order_id = data["order_id"]
            copy.institution_id = data.get("institution_id")
            copy.department = data.get("department")
            copy.buyer_id = data.get("buyer_id")
        return {}
    if not kind.startswith("supplier_order.") or "supplier_order_id" not in data:
        return {}
    copy = _copy(session, data["supplier_order_id"])
    copy.enterprise_id = data.get("enterprise_id") or copy.enterprise_id
    copy.order_id = data.get("order_id") or copy.order_id
    copy.institution_id = data.get("institution_id") or copy.institution_id
    if kind == "supplier_order.created":
        copy.data = data
        copy.department = data.get("department") or copy.department
        deadline = _moment(data.get("acceptance_deadline"))
        copy.acceptance_deadline = deadline
        if deadline is not None and not copy.acknowledged and copy.reminder_status == "none":
            created = _moment(envelope.occurred_at) or deadline
            copy.remind_at = created + (deadline - created) / 2
            copy.reminder_status = "scheduled"
    else:
        status = data.get("status") or kind.split(".", 1)[1]
        if STATE_RANK.get(status, 0) >= STATE_RANK.get(copy.status, 0):
            copy.status = status
        if kind in ACKNOWLEDGEMENTS:
            copy.acknowledged = True
            if copy.reminder_status in ("none", "scheduled"):
                copy.reminder_status = "cancelled"
    return {
        "data": copy.data,
        "department": copy.department,
        "buyer_id": copy.buyer_id,
        "institution_id": copy.institution_id,
    }


def _copy(session: Session, supplier_order_id: str) -> SupplierOrderCopy:
    return _copies(session, [supplier_order_id])[supplier_order_id]


def _copies(session: Session, supplier_order_ids: list[str]) -> dict[str, SupplierOrderCopy]:
    """notify's copy of each supplier order, new ones added. The transaction keeps the ones
    it has seen (its session is its own), so the events of one message about the same
    supplier orders ask once: an order's copies are written with their final values by one
    INSERT, not inserted, read back and updated event by event."""
    known = _looked_up(session, supplier_order_ids)
    for supplier_order_id in supplier_order_ids:
        if known[supplier_order_id] is None:
            known[supplier_order_id] = SupplierOrderCopy(
                supplier_order_id=supplier_order_id,
                status="pending",
                acknowledged=False,
                reminder_status="none",
            )
            session.add(known[supplier_order_id])
    return {i: known[i] for i in supplier_order_ids}


def _look_up_copies(session: Session, envelopes: list[Envelope]) -> None:
    """Read the copies all these events are about in one query, before the first of them
    is applied (the events of a batch of messages share one transaction). Whatever an
    event carries, this never raises: one malformed event must not fail the others."""
    ids: list = []
    for envelope in envelopes:
        data, kind = envelope.data, envelope.type
        if kind == "order.placed" and isinstance(data.get("supplier_orders"), list):
            ids += [
                p.get("supplier_order_id") for p in data["supplier_orders"] if isinstance(p, dict)
            ]
        elif isinstance(kind, str) and kind.startswith("supplier_order."):
            ids.append(data.get("supplier_order_id"))
    _looked_up(session, [i for i in ids if isinstance(i, str)])


# Built once: it keeps its cache key, and its one expanding parameter is compiled once.
_COPIES = select(SupplierOrderCopy).where(
    SupplierOrderCopy.supplier_order_id.in_(bindparam("ids", expanding=True))
)


def _looked_up(session: Session, supplier_order_ids: list[str]) -> dict:
    """The transaction's copies looked up so far, these among them: each one's copy, or None
    where the database has none. The ones not looked up yet are read in one query, without
    autoflush: the copies this transaction added are all in this dict already, so the
    query can miss none of them, and each is written once, at commit, with its final
    values (not flushed once per event of the batch)."""
    known: dict = session.info.setdefault(_COPIES_READ, {})
    if missing := [i for i in dict.fromkeys(supplier_order_ids) if i not in known]:
        with session.no_autoflush:
            found = {
                copy.supplier_order_id: copy for copy in session.scalars(_COPIES, {"ids": missing})
            }
        for supplier_order_id in missing:
            known[supplier_order_id] = found.get(supplier_order_id)
    return known


def _moment(value) -> datetime | None:
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        log.warning("bad_timestamp", value=str(value)[:64])
        return None
