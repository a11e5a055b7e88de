"""The signed-in membership's notifications (notify's in-app inbox)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from web.identity import current
from web.portal.api import ApiError, call
from web.portal.navigation import unread_count

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.before_request
@current.signin_required()
def _signed_in():
    return None


@bp.get("")
def index():
    unread_only = request.args.get("unread") == "1"
    params = {"limit": 50} | ({"unread": "true"} if unread_only else {})
    if request.args.get("cursor"):
        params["cursor"] = request.args["cursor"]
    page = call("notify", "GET", "/v1/inbox", params=params)
    return render_template("portal/inbox.html", page=page, unread_only=unread_only)


@bp.get("/badge")
def badge():
    """The header's inbox link, refreshed by htmx every minute."""
    return render_template("portal/_inbox_badge.html", unread=unread_count())


@bp.post("/<item_id>/read")
def read(item_id: str):
    try:
        call("notify", "POST", f"/v1/inbox/{item_id}/read", json={})
    except ApiError as exc:
        if exc.status != 404:
            raise
    return redirect(request.form.get("next") or url_for("inbox.index"))
