"""HTTP API: flask-smorest blueprints (thin: authorise, load, call a use case, dump)."""

from __future__ import annotations

from flask import Response, jsonify


def idempotency_key_header(required: bool = True) -> dict:
    """The OpenAPI parameter of a create that honours an Idempotency-Key."""
    return {
        "in": "header",
        "name": "Idempotency-Key",
        "required": required,
        "schema": {"type": "string", "maxLength": 255},
    }


def stored_response(status: int, body: dict, replayed: bool, location: str | None) -> Response:
    """The answer of an idempotent create: the body as stored with its key (already rendered,
    so it bypasses the response schema), marked when it is a replay."""
    response = jsonify(body)
    response.status_code = status
    if location:
        response.headers["Location"] = location
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
