"""The portal's client of catalog, orders and notify: the signed-in person's token, the kit's
timeouts and retries, and problem+json turned into an exception a page can show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from gachi_kit.http import ServiceClient, UpstreamUnavailable
from web.identity import current

SERVICES = ("catalog", "orders", "notify")
CONNECT_TIMEOUT = 2.0
# Reads may be retried; placing is protected by its Idempotency-Key, so a POST is sent once.
READ_METHODS = ("GET", "HEAD")

__all__ = ["ApiError", "UpstreamUnavailable", "call", "init_clients"]


@dataclass
class ApiError(Exception):
    """A 4xx answer from an API, as its problem+json said it."""

    status: int
    code: str
    title: str
    detail: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.title}"

    def message(self) -> str:
        """One Korean sentence for the top of a form."""
        return self.detail if self.detail and not self.errors else self.title


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow nests field errors (`lines` → `0` → `quantity`); forms want dotted keys
    (`lines.0.quantity`) to put each message next to its field."""
    if isinstance(errors, dict) and isinstance(errors.get("detail"), str):
        return {prefix or "_": [errors["detail"]]}  # one problem (code, detail, its data)
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        return {prefix or "_": list(errors)}
    if isinstance(errors, list):
        flat = {}
        for index, item in enumerate(errors):
            flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "_": [str(errors)]}


def init_clients(app: Flask) -> None:
    """One pooled client per service, at the URLs and timeout of web's settings."""
    settings = app.extensions["web"].settings
    clients = {}
    for service in SERVICES:
        clients[service] = ServiceClient(
            getattr(settings, f"{service}_url"),
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=settings.api_timeout_seconds,
            retries=1,
            retry_methods=READ_METHODS,
        )
    app.extensions["portal_clients"] = clients


def bearer(service: str) -> str | None:
    """The signed-in membership's token; for anonymous visitors web's own service token,
    which reads the public catalogue and nothing else."""
    if current.current_membership() is not None:
        return current.access_token()
    if service == "catalog":
        return current.service_token("catalog")
    return None


def call(
    service: str,
    method: str,
    path: str,
    *,
    anonymous: bool = False,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """Call one API and return its JSON body (None for 204). A 4xx raises ApiError; an
    unreachable service or a 5xx raises UpstreamUnavailable (the 503 page)."""
    client: ServiceClient = current_app.extensions["portal_clients"][service]
    sent = dict(headers or {})
    token = None if anonymous else bearer(service)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    response = client.request(method, path, headers=sent, **kwargs)
    if response.status_code >= 400:
        raise _problem(response)
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


def _problem(response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiError(
        status=response.status_code,
        code=str(body.get("code") or "http_error"),
        title=str(body.get("title") or "요청을 처리하지 못했습니다"),
        detail=body.get("detail"),
        errors=flatten_errors(body.get("errors") or {}),
        body=body,
    )
