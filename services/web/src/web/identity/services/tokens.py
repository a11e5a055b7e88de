"""Access tokens web signs: for a person's membership (the portal) and for an API client
(OAuth 2.0 client credentials). RS256 with web's active key, `kid` in the header, at most
15 minutes, for every API."""

from __future__ import annotations

import time
from datetime import timedelta

from gachi_kit.auth import issue_token
from gachi_kit.events import new_id
from web.wiring import Web

API_AUDIENCE = ["catalog", "orders", "notify"]


def for_membership(w: Web, sub: str, membership) -> tuple[str, float]:
    return _issue(
        w,
        sub=sub,
        role=membership.role,
        org=membership.org_id,
        dept=membership.dept,
        extra={"mid": membership.id},
    )


def for_client(w: Web, client) -> tuple[str, float]:
    return _issue(
        w,
        sub=f"client:{client.client_id}",
        role=client.role,
        org=client.org_id,
        dept=None,
        extra={"client_id": client.client_id},
    )


def _issue(w: Web, *, sub, role, org, dept, extra) -> tuple[str, float]:
    ttl = timedelta(minutes=w.settings.access_token_minutes)
    key = w.keys.active()
    token = issue_token(
        key.private_pem,
        sub=sub,
        role=role,
        org=org,
        dept=dept,
        audience=API_AUDIENCE,
        ttl=ttl,
        kid=key.kid,
        extra={"jti": new_id(), **extra},
    )
    return token, time.time() + ttl.total_seconds()
