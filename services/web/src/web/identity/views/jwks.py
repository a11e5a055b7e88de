"""GET /.well-known/jwks.json: the public keys web's tokens are signed with."""

from __future__ import annotations

from flask import Blueprint, jsonify

from web.wiring import web

bp = Blueprint("jwks", __name__)


@bp.get("/.well-known/jwks.json")
def jwks():
    response = jsonify(web().keys.jwks())
    # Short: verifiers also fetch again when they meet a kid they do not know.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
