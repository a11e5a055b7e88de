"""Dead saga events, for an admin: orders consumes its own declines, partial acceptances
and expiries, and a decline whose handling kept failing would never be re-routed. Listed
and replayed like notify's; the envelope is orders' own outbox row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gachi_kit import dead_events
from gachi_kit.auth import Principal
from gachi_kit.events import Envelope
from orders.adapters.models import InboundEvent, OutboxMessage
from orders.wiring import OrdersWiring


def list_dead(wiring: OrdersWiring, query: dict) -> dict:
    return dead_events.list_dead(wiring.db, InboundEvent, query)


def replay_dead(wiring: OrdersWiring, event_id: str, by: Principal) -> dict:
    def envelope_of(session: Session, row: InboundEvent) -> dict | None:
        sent = session.get(OutboxMessage, row.id)
        return None if sent is None else sent.envelope().to_dict()

    def send(envelope: dict) -> None:
        wiring.outbox.send(Envelope.from_dict(envelope), retry=False, consumers=["orders"])

    return dead_events.replay_dead(
        wiring.db, InboundEvent, event_id, by, envelope_of=envelope_of, send=send
    )
