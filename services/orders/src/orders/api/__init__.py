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


def created_response(body: dict, replayed: bool, location: str) -> Response:
    """201 for an idempotent create, already dumped (so it bypasses the response schema),
    marked when it answers a replay of the same Idempotency-Key."""
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
