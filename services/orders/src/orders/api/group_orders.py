from __future__ import annotations

from flask import request
from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from orders.api import created_response, idempotency_key_header
from orders.api import group_order_schemas as schemas
from orders.services.group_orders import organising, participating
from orders.wiring import current_wiring

blp = Blueprint("group_orders", __name__, url_prefix="/v1/group-orders", description="단체 구매")
ORGANISERS = ("buyer", "institution_admin")
SECRET_HEADER = "X-Participant-Secret"
# The participants' routes need the share code (and their secret), never a token.
PUBLIC = {"security": []}
WITH_SECRET = {
    "security": [],
    "parameters": [
        {
            "in": "header",
            "name": SECRET_HEADER,
            "required": True,
            "schema": {"type": "string", "maxLength": 100},
            "description": "참여할 때 받은 비밀 코드",
        }
    ],
}
# --- the organiser (bearer token) ------------------------------------------------------


@blp.route("")
class GroupOrderCollection(MethodView):
    @require_roles(*ORGANISERS)
    @blp.arguments(schemas.GroupOrderCreate)
    @blp.doc(parameters=[idempotency_key_header()])
    @blp.response(201, schemas.GroupOrder)
    def post(self, fields):
        """Open a group order: its items are priced through catalog now; the answer carries
        the share code participants join with. Same Idempotency-Key and body → the first
        group order again (no second one)."""
        created = organising.open_group_order(
            current_wiring(),
            fields,
            current_principal(),
            idempotency_key=request.headers.get("Idempotency-Key"),
            raw_body=request.get_json(),
        )
        group_order = created.resource
        return created_response(
            schemas.GroupOrder().dump(group_order),
            created.replayed,
            f"/v1/group-orders/{group_order.id}",
        )

    @require_roles(*ORGANISERS, "admin")
    @blp.arguments(schemas.PageQuery, location="query")
    @blp.response(200, schemas.GroupOrderPage)
    def get(self, query):
        """The group orders the caller organised (an admin: all), newest first."""
        return organising.list_group_orders(current_wiring(), current_principal(), query)


@blp.route("/<group_order_id>")
class GroupOrderById(MethodView):
    @require_roles(*ORGANISERS, "admin")
    @blp.response(200, schemas.GroupOrder)
    def get(self, group_order_id):
        """The organiser's view: every participant, their contact, quantities and shares."""
        return organising.organiser_view(current_wiring(), group_order_id, current_principal())


@blp.route("/<group_order_id>/close")
class GroupOrderClose(MethodView):
    @require_roles(*ORGANISERS)
    @blp.response(200, schemas.GroupOrder)
    def post(self, group_order_id):
        """Close now (the minimum must be met): one order for the summed quantities."""
        return organising.close_early(current_wiring(), group_order_id, current_principal())


@blp.route("/<group_order_id>/cancel")
class GroupOrderCancel(MethodView):
    @require_roles(*ORGANISERS)
    @blp.arguments(schemas.CancelGroupOrder)
    @blp.response(200, schemas.GroupOrder)
    def post(self, body, group_order_id):
        """Cancel before it closes; every participant is told."""
        return organising.cancel(
            current_wiring(), group_order_id, current_principal(), body["reason"]
        )


# --- participants (the share code, then their secret; no account) ----------------------


@blp.route("/by-code/<code>")
class SharedGroupOrder(MethodView):
    @blp.doc(**PUBLIC)
    @blp.response(200, schemas.PublicGroupOrder)
    def get(self, code):
        """The public view: items, deadline, minimum and the total so far (no one's name or
        contact)."""
        return participating.public_view(current_wiring(), code)


@blp.route("/by-code/<code>/participants")
class ParticipantCollection(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(schemas.JoinRequest)
    @blp.response(201, schemas.Joined)
    def post(self, fields, code):
        """Join with a name, a phone number or e-mail, and quantities. The `secret` in the
        answer is shown only this once."""
        return participating.join(current_wiring(), code, fields)


@blp.route("/by-code/<code>/participants/<participant_id>")
class ParticipantById(MethodView):
    @blp.doc(**WITH_SECRET)
    @blp.response(200, schemas.OwnParticipation)
    def get(self, code, participant_id):
        """One's own entry (and, once closed, one's share of the order)."""
        return participating.participant_view(current_wiring(), code, participant_id, _secret())

    @blp.doc(**WITH_SECRET)
    @blp.arguments(schemas.QuantitiesInput)
    @blp.response(200, schemas.OwnParticipation)
    def put(self, fields, code, participant_id):
        """Replace one's quantities until the deadline (an item left out is 0)."""
        return participating.change(current_wiring(), code, participant_id, _secret(), fields)

    @blp.doc(**WITH_SECRET)
    @blp.response(200, schemas.OwnParticipation)
    def delete(self, code, participant_id):
        """Withdraw until the deadline."""
        return participating.withdraw(current_wiring(), code, participant_id, _secret())


def _secret() -> str | None:
    return request.headers.get(SECRET_HEADER)
