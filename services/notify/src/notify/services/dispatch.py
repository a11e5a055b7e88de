"""Fan-out of one event (or reminder) to inbox items and delivery rows, inside the
caller's transaction. Nothing leaves the process here: the rows commit first, and only
then are the deliveries enqueued (events.py, reminders.py) — never a dual write.

Subscribers are found through their subscriptions; a group-order participant has none and
is reached at the contact the event carries, as a delivery without a subscription."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select, tuple_
from sqlalchemy.orm import Session

from gachi_kit.db import insert_rows
from gachi_kit.events import new_id, utcnow
from gachi_kit.logging import get_logger
from notify.adapters.models import ActionLink, Delivery, DigestEntry, InboxItem, Subscription
from notify.adapters.templates import render_message
from notify.domain.catalogue import INBOX_RECIPIENTS, MOST_DIRECT_FIRST, REMINDER, matches
from notify.domain.delivery import PENDING, SENT
from notify.domain.messages import derived, shareable
from notify.domain.recipients import participants, recipients
from notify.services.digests import period_of
from notify.wiring import Notify, Queued

log = get_logger(__name__)
LINKED = ("supplier_order.created", REMINDER)  # messages that carry action links


def fan_out(
    n: Notify,
    session: Session,
    *,
    event_id: str,
    event_type: str,
    occurred_at: str,
    data: dict,
    known: dict | None = None,
    most_direct_only: bool = False,
    rows: NewRows | None = None,
) -> list[Queued]:
    """Create the inbox items and deliveries for an event; returns what to enqueue. Given
    `rows`, it adds its rows there for the caller to insert (with other events' rows, in
    one statement per table); otherwise it inserts them itself."""
    known = known or {}
    now = utcnow()
    earlier = known.get("data") or {}
    public = shareable(event_type, data)  # without participants' contacts
    context = {**earlier, **public, **derived(event_type, {**earlier, **data})}
    to_send: list[Queued] = []
    seen: set[str] = set()
    new = NewRows() if rows is None else rows
    found = recipients(event_type, data, known)
    active = _active_subscriptions(session, found)
    for recipient in found:
        subscriptions = active.get((recipient.recipient_type, recipient.recipient_id), [])
        wanted = [s for s in subscriptions if matches(s.event_types, event_type)]
        message = dict(context)
        if recipient.recipient_type == "enterprise" and event_type in LINKED:
            message["links"] = action_links(
                n, new, data["supplier_order_id"], recipient.recipient_id, now
            )
        inbox_rules = [s for s in subscriptions if s.channel == "inbox"]
        if recipient.recipient_type in INBOX_RECIPIENTS and (
            not inbox_rules or any(s.channel == "inbox" for s in wanted)
        ):
            _inbox(new, recipient, event_id, event_type, message, now)
        external = [s for s in wanted if s.channel != "inbox"]
        if most_direct_only:
            external = _most_direct(external)
        for subscription in external:
            key = dedupe_key(event_id, recipient, subscription.channel, subscription.address)
            if key in seen:
                continue
            seen.add(key)
            if subscription.digest:
                _hold_for_digest(session, subscription, event_id, event_type, message, now)
                continue
            delivery = _delivery_columns(
                n,
                recipient,
                subscription.channel,
                subscription.address,
                subscription.id,
                key,
                event_id,
                event_type,
                occurred_at,
                public,
                message,
            )
            new.add(Delivery, {**delivery, "enqueued_at": now})
            to_send.append((delivery["id"], delivery["channel"], delivery["address"]))
    direct, unreachable = participants(event_type, data)
    _log_unreachable(event_id, event_type, data, unreachable)
    for reach in direct:
        key = dedupe_key(event_id, reach.recipient, reach.channel, reach.address)
        if key in seen:  # the same participant listed twice: one message
            continue
        seen.add(key)
        delivery = _delivery_columns(
            n,
            reach.recipient,
            reach.channel,
            reach.address,
            None,  # no subscription: the address comes from the event
            key,
            event_id,
            event_type,
            occurred_at,
            public,
            {**context, "participant": reach.participant},
        )
        new.add(Delivery, {**delivery, "enqueued_at": now})
        to_send.append((delivery["id"], delivery["channel"], delivery["address"]))
    if rows is None:
        new.insert(session)
    return to_send


class NewRows:
    """The rows fan-outs write (inbox items, deliveries, action links), inserted at the end
    with one statement per table and shape: no ORM object per row."""

    def __init__(self) -> None:
        self._rows: dict[tuple, list[dict]] = defaultdict(list)

    def add(self, model, columns: dict) -> None:
        self._rows[(model, *sorted(columns))].append(columns)

    def insert(self, session: Session) -> None:
        for (model, *_), rows in self._rows.items():
            insert_rows(session, model, rows)
        self._rows.clear()


# Built once (a statement keeps its cache key); one expanding parameter, so it is compiled
# once however many recipients an event has.
_ACTIVE_SUBSCRIPTIONS = (
    select(
        Subscription.id,
        Subscription.recipient_type,
        Subscription.recipient_id,
        Subscription.channel,
        Subscription.address,
        Subscription.event_types,
        Subscription.digest,
    )
    .where(
        Subscription.active.is_(True),
        tuple_(Subscription.recipient_type, Subscription.recipient_id).in_(
            bindparam("keys", expanding=True)
        ),
    )
    .order_by(Subscription.id)
)


_READ = "active_subscriptions"  # in session.info: what this transaction read of them


def _active_subscriptions(session: Session, found) -> dict[tuple[str, str], list[Row]]:
    """Every recipient's active subscriptions, as plain rows with the columns a fan-out
    reads: Core on the session's connection, so no autoflush (the supplier-order copies an
    event changed are written once, at commit, not once per event of the message) and no
    ORM object per subscription. One query for the recipients this transaction has not
    read yet (the events of a batch share one): the others' rows are kept in it, until an
    event changes subscriptions (`subscriptions_changed`)."""
    keys = {(r.recipient_type, r.recipient_id) for r in found}
    read: dict[tuple[str, str], list[Row]] = session.info.setdefault(_READ, {})
    if missing := [key for key in keys if key not in read]:
        for key in missing:
            read[key] = []
        rows = session.connection().execute(_ACTIVE_SUBSCRIPTIONS, {"keys": missing})
        for subscription in rows:
            read[(subscription.recipient_type, subscription.recipient_id)].append(subscription)
    return {key: read[key] for key in keys}


def subscriptions_changed(session: Session) -> None:
    """Forget the subscriptions this transaction read: it has just written some."""
    session.info.pop(_READ, None)


def _log_unreachable(event_id, event_type, data, unreachable) -> None:
    """A participant who left a landline (or nothing usable) gets no message; the organiser
    is told how many in its own message. No contact details in the log."""
    for person in unreachable:
        log.info(
            "participant_not_notified",
            event_id=event_id,
            event_type=event_type,
            group_order_id=data.get("group_order_id"),
            participant_id=person.participant_id,
            contact_kind=person.contact_kind,
            reason=person.reason,
        )


def dedupe_key(event_id: str, recipient, channel: str, address: str) -> str:
    who = f"{recipient.recipient_type}|{recipient.recipient_id}|{address}"
    return f"{event_id}:{channel}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"


def _inbox(new: NewRows, recipient, event_id, event_type, message, now) -> None:
    rendered = render_message("inbox", recipient.template, message)
    item_id, title = new_id(), rendered.title[:200]
    new.add(
        InboxItem,
        dict(
            id=item_id,
            recipient_type=recipient.recipient_type,
            recipient_id=recipient.recipient_id,
            event_id=event_id,
            event_type=event_type,
            subject_id=recipient.subject_id,
            title=title,
            body=rendered.body,
            created_at=now,
        ),
    )
    new.add(
        Delivery,
        dict(
            id=new_id(),
            dedupe_key=dedupe_key(event_id, recipient, "inbox", ""),
            event_id=event_id,
            event_type=event_type,
            recipient_type=recipient.recipient_type,
            recipient_id=recipient.recipient_id,
            channel="inbox",
            address="",
            subject_id=recipient.subject_id,
            template=rendered.ref,
            payload={"title": title, "inbox_item_id": item_id},
            status=SENT,
            attempts=1,
            max_attempts=1,
            created_at=now,
            sent_at=now,
        ),
    )


def _delivery(*args) -> Delivery:
    """A delivery row for a caller that works with the object (account mail, a webhook
    test); `_delivery_columns` says what goes in it."""
    return Delivery(**_delivery_columns(*args))


def _delivery_columns(
    n,
    recipient,
    channel: str,
    address: str,
    subscription_id: str | None,
    key: str,
    event_id: str,
    event_type: str,
    occurred_at: str,
    data: dict,
    message: dict,
) -> dict:
    template = None
    if channel == "webhook":
        body = json.dumps(
            {"type": event_type, "timestamp": occurred_at, "event_id": event_id, "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )
        payload = {"body": body}
    else:
        rendered = render_message(channel, recipient.template, message)
        template = rendered.ref
        if channel == "email":
            payload = {"subject": rendered.title, "text": rendered.body, "html": rendered.html}
        elif channel == "alimtalk":
            payload = {
                "title": rendered.title,
                "text": rendered.body,
                "code": rendered.code,
                "params": rendered.params,
            }
        else:
            payload = {"title": rendered.title, "text": rendered.body}
    return dict(
        id=new_id(),
        dedupe_key=key,
        event_id=event_id,
        event_type=event_type,
        recipient_type=recipient.recipient_type,
        recipient_id=recipient.recipient_id,
        subscription_id=subscription_id,
        channel=channel,
        address=address,
        subject_id=recipient.subject_id,
        template=template,
        payload=payload,
        status=PENDING,
        attempts=0,
        max_attempts=n.settings.delivery_max_attempts,
        next_attempt_at=utcnow(),
    )


def _hold_for_digest(session, subscription, event_id, event_type, message, now) -> None:
    exists = session.scalar(
        select(DigestEntry.id).where(
            DigestEntry.subscription_id == subscription.id, DigestEntry.event_id == event_id
        )
    )
    if exists:
        return
    rendered = render_message("inbox", _template_of(event_type), message)
    session.add(
        DigestEntry(
            subscription_id=subscription.id,
            event_id=event_id,
            event_type=event_type,
            period=period_of(now, subscription.digest),
            title=rendered.title[:200],
            body=rendered.body,
            created_at=now,
        )
    )


def _template_of(event_type: str) -> str:
    return event_type


def _most_direct(subscriptions: list[Row]) -> list[Row]:
    for channel in MOST_DIRECT_FIRST:
        found = [s for s in subscriptions if s.channel == channel and not s.digest]
        if found:
            return found[:1]
    return []


def action_links(
    n: Notify, new: NewRows, supplier_order_id: str, enterprise_id: str, now: datetime
) -> dict[str, str]:
    """Signed view / accept-all / decline links for one supplier order, shared by every
    channel of one message, so using one from SMS makes the e-mail's copy spent too; and
    the order's page in the portal (`portal`, not signed: the portal asks for sign-in),
    where a line can be accepted in part, shipped and delivered."""
    expires = now + timedelta(hours=n.settings.action_link_ttl_hours)
    urls = {}
    for action in ("view", "accept", "decline"):
        link_id = new_id()
        new.add(
            ActionLink,
            dict(
                id=link_id,
                supplier_order_id=supplier_order_id,
                enterprise_id=enterprise_id,
                action=action,
                expires_at=expires,
                created_at=now,
            ),
        )
        urls[action] = link_url(n, link_id)
    urls["portal"] = f"{n.settings.web_public_url}/enterprise/supplier-orders/{supplier_order_id}"
    return urls


def link_url(n: Notify, link_id: str) -> str:
    return f"{n.settings.public_url}/links/{n.links.token(link_id)}"
