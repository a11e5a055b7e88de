from __future__ import annotations

from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from notify.api import schemas
from notify.services import delivery_log
from notify.wiring import notify

blp = Blueprint("deliveries", __name__, url_prefix="/v1", description="발송 기록")
READERS = ("enterprise", "buyer", "institution_admin", "committee", "admin")


@blp.route("/deliveries")
class Deliveries(MethodView):
    @require_roles(*READERS)
    @blp.arguments(schemas.DeliveryQuery, location="query")
    @blp.response(200, schemas.DeliveryPage)
    def get(self, query):
        """Delivery log of the caller's own recipients (an admin's: all), newest first."""
        return delivery_log.list_deliveries(notify(), current_principal(), query)


@blp.route("/deliveries/<delivery_id>")
class DeliveryById(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.Delivery)
    def get(self, delivery_id):
        return delivery_log.get_delivery(notify(), current_principal(), delivery_id)


@blp.route("/events/<event_id>/deliveries")
class EventDeliveries(MethodView):
    @require_roles(*READERS)
    @blp.arguments(schemas.DeliveryQuery, location="query")
    @blp.response(200, schemas.DeliveryPage)
    def get(self, query, event_id):
        """Every delivery one event caused that the caller may see."""
        return delivery_log.list_deliveries(
            notify(), current_principal(), {**query, "event_id": event_id[:26]}
        )
