from __future__ import annotations

from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from notify.api import schemas
from notify.services import inbox
from notify.wiring import notify

blp = Blueprint("inbox", __name__, url_prefix="/v1/inbox", description="받은 알림함")
READERS = ("enterprise", "buyer", "institution_admin", "committee")


@blp.route("")
class Inbox(MethodView):
    @require_roles(*READERS)
    @blp.arguments(schemas.InboxQuery, location="query")
    @blp.response(200, schemas.InboxPage)
    def get(self, query):
        """The caller's own inbox (its enterprise or institution), newest first."""
        return inbox.list_inbox(notify(), current_principal(), query)


@blp.route("/<item_id>/read")
class InboxItemRead(MethodView):
    @require_roles(*READERS)
    @blp.response(200, schemas.InboxItem)
    def post(self, item_id):
        """Mark one of the caller's messages read."""
        return inbox.mark_read(notify(), current_principal(), item_id)
