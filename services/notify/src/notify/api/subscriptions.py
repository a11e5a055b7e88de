from __future__ import annotations

from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from notify.api import schemas
from notify.services import subscriptions
from notify.wiring import notify

blp = Blueprint(
    "subscriptions", __name__, url_prefix="/v1/subscriptions", description="알림 받을 곳과 종류"
)
MANAGERS = ("enterprise", "buyer", "institution_admin", "committee", "admin")


@blp.route("")
class Subscriptions(MethodView):
    @require_roles(*MANAGERS)
    @blp.arguments(schemas.SubscriptionQuery, location="query")
    @blp.response(200, schemas.SubscriptionPage)
    def get(self, query):
        """The caller's own subscriptions (an admin's: anyone's, filtered)."""
        return subscriptions.list_for(notify(), current_principal(), query)

    @require_roles(*MANAGERS)
    @blp.arguments(schemas.SubscriptionCreate)
    @blp.response(201, schemas.SubscriptionWithSecret)
    def post(self, fields):
        """Subscribe a recipient (by default the caller's own) to event types on a channel.

        Webhook URLs must be public https addresses; the answer shows the `whsec_` signing
        secret this once."""
        subscription, _secret = subscriptions.create(notify(), current_principal(), fields)
        return subscription, 201, {"Location": f"/v1/subscriptions/{subscription.id}"}


@blp.route("/<subscription_id>")
class SubscriptionById(MethodView):
    @require_roles(*MANAGERS)
    @blp.response(200, schemas.Subscription)
    def get(self, subscription_id):
        return subscriptions.get(notify(), current_principal(), subscription_id)

    @require_roles(*MANAGERS)
    @blp.arguments(schemas.SubscriptionUpdate)
    @blp.response(200, schemas.Subscription)
    def patch(self, fields, subscription_id):
        """Change the address, event types, digest, or switch it on or off."""
        return subscriptions.update(notify(), current_principal(), subscription_id, fields)

    @require_roles(*MANAGERS)
    @blp.response(204)
    def delete(self, subscription_id):
        subscriptions.delete(notify(), current_principal(), subscription_id)


@blp.route("/<subscription_id>/rotate-secret")
class RotateSecret(MethodView):
    @require_roles(*MANAGERS)
    @blp.arguments(schemas.RotateSecret)
    @blp.response(200, schemas.SubscriptionWithSecret)
    def post(self, fields, subscription_id):
        """New webhook secret; both sign until the overlap ends (default 24 h)."""
        subscription, _secret = subscriptions.rotate_secret(
            notify(), current_principal(), subscription_id, fields["overlap_hours"]
        )
        return subscription


@blp.route("/<subscription_id>/test")
class TestEvent(MethodView):
    @require_roles(*MANAGERS)
    @blp.response(202, schemas.Delivery)
    def post(self, subscription_id):
        """Send a `webhook.test` event to one of the caller's own webhooks, signed and
        retried like any delivery; the answer is its delivery row (`pending` until sent)."""
        return subscriptions.send_test_event(notify(), current_principal(), subscription_id[:26])
