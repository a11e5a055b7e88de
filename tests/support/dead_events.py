"""A decline orders' re-routing saga gave up on, as its rows would be after six failed
attempts: the event in orders' outbox (where a replay reads it) and `dead` in its
`inbound_event`. For the admin pages' tests; the API test makes one by really failing."""

from __future__ import annotations

from gachi_kit.events import utcnow


def park_dead_decline(wiring, supplier_order_id: str = "01M8Q0000000000000000000SO") -> str:
    from orders.adapters.models import InboundEvent

    with wiring.db.transaction() as session:
        decline = wiring.outbox.record(
            session,
            "supplier_order.declined",
            {"supplier_order_id": supplier_order_id, "reason": "설비 고장"},
            aggregate_id=supplier_order_id,
        )
        session.add(
            InboundEvent(
                id=decline.id,
                type=decline.type,
                source="orders",
                status="dead",
                attempts=6,
                last_error="RuntimeError('재배정 처리 중 오류')",
                received_at=utcnow(),
            )
        )
    return decline.id
