"""Operators: the saga's dead events (gachi_kit.dead_events)."""

from __future__ import annotations

from gachi_kit import dead_events
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal
from orders.services import dead_events as dead
from orders.wiring import current_wiring

blp = Blueprint(
    "operations", __name__, url_prefix="/v1/ops", description="운영자: 처리하지 못한 이벤트"
)

dead_events.add_routes(
    blp,
    listed=lambda query: dead.list_dead(current_wiring(), query),
    replayed=lambda event_id: dead.replay_dead(current_wiring(), event_id, current_principal()),
)
