"""Signed action links: HTML pages, no bearer token (the signed token is the credential)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from notify.adapters.templates import page
from notify.services import actions
from notify.wiring import notify

blp = Blueprint("links", __name__, url_prefix="/links")


def _html(result: actions.Page) -> Response:
    response = Response(page(result.template, **result.context), status=result.status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak onwards
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
    )
    return response


@blp.get("/<token>")
def open_link(token: str):
    return _html(actions.open_link(notify(), token))


@blp.post("/<token>")
def use_link(token: str):
    return _html(actions.use_link(notify(), token, request.form.to_dict()))
