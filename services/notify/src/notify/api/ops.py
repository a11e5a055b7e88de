from __future__ import annotations

from flask.views import MethodView

from gachi_kit import dead_events
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from gachi_kit.errors import invalid
from gachi_kit.receipts import RECEIVED_PATH
from notify.api import schemas
from notify.services import delivery_log, events
from notify.wiring import notify

blp = Blueprint("operations", __name__, url_prefix="/v1/ops", description="운영자: 실패한 발송")


@blp.route("/dead-deliveries")
class DeadDeliveries(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.DeadQuery, location="query")
    @blp.response(200, schemas.DeliveryPage)
    def get(self, query):
        """Deliveries that gave up (dead letters), newest first."""
        return delivery_log.list_deliveries(
            notify(), current_principal(), {**query, "status": "dead"}
        )


dead_events.add_routes(
    blp,
    listed=lambda query: events.list_dead(notify(), query),
    replayed=lambda event_id: events.replay_dead(notify(), event_id, current_principal()),
)


@blp.route(RECEIVED_PATH.removeprefix("/v1/ops"))
class ReceivedEvents(MethodView):
    @require_roles("service")
    @blp.arguments(schemas.ReceivedQuery)
    @blp.response(200, schemas.Received)
    def post(self, query):
        """Which of these events notify has received (a producer's outbox asks, then sends
        the others again: gachi_kit.receipts). Reads only; service tokens only."""
        return {"received": sorted(events.received(notify(), query["ids"]))}


@blp.route("/dead-deliveries/replay")
class Replay(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.Replay)
    @blp.response(200, schemas.ReplayResult)
    def post(self, fields):
        """Send dead deliveries again from attempt zero: the listed `ids`, or with
        `all: true` every dead one matching the filters (at most `limit`)."""
        if bool(fields.get("ids")) == bool(fields["all"]):
            raise invalid(
                "ids",
                "ids와 all 중 하나만 쓰세요.",
                code="replay_selection",
                detail="ids 목록이나 all: true 중 하나만 보내 주세요.",
            )
        return delivery_log.replay(notify(), fields)
