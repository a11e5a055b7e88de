"""Use case: react to an event from another service, exactly once per event id."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gachi_kit.consumer import consume
from gachi_kit.events import Envelope
from gachi_kit.logging import get_logger
from notify.adapters.models import InboundEvent, InboxItem
from notify.adapters.templates import render
from notify.domain.recipients import inbox_messages
from notify.wiring import Notify

log = get_logger(__name__)


def handle_event(n: Notify, raw: dict) -> str:
    envelope = Envelope.from_dict(raw)
    return consume(
        n.db,
        InboundEvent,
        envelope,
        _store_inbox_items,
        max_attempts=n.settings.max_event_attempts,
    )


def _store_inbox_items(session: Session, envelope: Envelope) -> None:
    messages = inbox_messages(envelope.type, envelope.data)
    if not messages:
        log.info("event_ignored", type=envelope.type, event_id=envelope.id)
    for message in messages:
        title, body = render("inbox", message.template, envelope.data)
        session.add(
            InboxItem(
                recipient_type=message.recipient_type,
                recipient_id=message.recipient_id,
                event_id=envelope.id,
                event_type=envelope.type,
                subject_id=message.subject_id,
                title=title,
                body=body,
            )
        )
