"""A rate limit per caller on every service (flask-limiter, counted in Redis so that every
worker process and every instance of a service share one count).

A caller with a valid token is counted by who they are (role, organisation, user); anyone
else (the public group-order routes, notify's signed links, a bad token) by address, with a
smaller allowance. Services calling each other and the health, OpenAPI and docs routes are
not limited. A breach is a 429 problem+json with `Retry-After`.
"""

from __future__ import annotations

import time
from contextlib import suppress
from dataclasses import dataclass

from flask import Flask, g
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from gachi_kit.auth import bearer_token, current_principal
from gachi_kit.config import Env
from gachi_kit.errors import Problem, problem_response
from gachi_kit.logging import get_logger
from gachi_kit.timeouts import RATE_LIMIT_REDIS

log = get_logger(__name__)


@dataclass(frozen=True)
class RateLimits:
    """Limits in flask-limiter's notation ("600/minute", "20/second;600/minute")."""

    per_caller: str
    per_address: str  # callers without a valid token
    storage_url: str
    enabled: bool = True

    @classmethod
    def load(cls, env: Env, redis_url: str) -> RateLimits:
        # A RabbitMQ broker has no counters: then keep them in process memory (per worker).
        default_storage = redis_url if redis_url.startswith(("redis://", "rediss://")) else None
        return cls(
            per_caller=env.str("RATE_LIMIT", "1200/minute"),
            per_address=env.str("RATE_LIMIT_ANONYMOUS", "120/minute"),
            storage_url=env.str("RATE_LIMIT_STORAGE_URL", default_storage or "memory://"),
            enabled=env.bool("RATE_LIMIT_ENABLED", True),
        )


def init_rate_limits(app: Flask, limits: RateLimits, *, exempt: tuple[str, ...] = ()) -> Limiter:
    """Limit every route of `app` except those of the blueprints named in `exempt`."""
    limiter = Limiter(
        key_func=caller_key,
        app=app,
        default_limits=[lambda: limits.per_caller if _caller()[0] else limits.per_address],
        storage_uri=limits.storage_url,
        storage_options=RATE_LIMIT_REDIS if limits.storage_url.startswith("redis") else {},
        strategy="moving-window",
        # Off: the library would put its own Retry-After on every response, over the one a
        # 409 or 503 sets; the 429 below says when to come back.
        headers_enabled=False,
        swallow_errors=True,  # a Redis outage must not take the API down with it
        key_prefix="gachi-rl",
        enabled=limits.enabled,
    )

    for name in exempt:
        limiter.exempt(app.blueprints[name])
    # Checked before any limit is looked up: a service's call (orders asking catalog for
    # prices on every order) costs the limiter nothing.
    limiter.request_filter(_service_call)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded):
        breached = limiter.current_limit
        if breached is not None:  # when the oldest counted request leaves the window
            wait = max(1, int(breached.reset_at - time.time()))
        else:
            wait = exc.limit.limit.get_expiry()
        log.warning("rate_limited", key=caller_key(), limit=str(exc.limit.limit), wait=wait)
        return problem_response(
            Problem(
                429,
                "rate_limited",
                "요청이 너무 많습니다",
                f"{wait}초 뒤에 다시 시도해 주세요. 허용 한도: {korean_limit(exc.limit.limit)}",
                headers={"Retry-After": str(wait)},
            )
        )

    return limiter


_UNITS = {"second": "초", "minute": "분", "hour": "시간", "day": "일", "month": "달", "year": "년"}


def korean_limit(item) -> str:
    """flask-limiter's "120 per 1 minute" as "1분에 120회"."""
    unit = _UNITS.get(item.GRANULARITY.name, item.GRANULARITY.name)
    return f"{item.multiples}{unit}에 {item.amount}회"


def caller_key() -> str:
    return _caller()[1]


def _caller() -> tuple[bool, str]:
    """(authenticated?, counting key) for this request, worked out once. Asked of every
    request, probes included: one without a token is counted by address at once."""
    if "rate_limit_caller" not in g:
        who = None
        if bearer_token() is not None:
            with suppress(Problem):  # a bad token: the view answers 401 (or is public)
                who = current_principal()
        g.rate_limit_caller = (
            (True, f"{who.role}:{who.org or '-'}:{who.sub}")
            if who is not None
            else (False, f"addr:{get_remote_address()}")
        )
    return g.rate_limit_caller


def _service_call() -> bool:
    authenticated, key = _caller()
    return authenticated and key.startswith("service:")
