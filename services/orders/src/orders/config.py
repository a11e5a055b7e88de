"""Orders settings, read once from overrides or the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gachi_kit.config import Env
from gachi_kit.ratelimit import RateLimits

SERVICE = "orders"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    broker_url: str  # CELERY_BROKER_URL (amqp:// or redis://), else redis_url
    rate_limits: RateLimits
    jwt_public_key: str
    catalog_url: str
    catalog_timeout_seconds: float
    outbox_sweep_seconds: float
    outbox_confirm_seconds: float
    notify_url: str  # asked which events it received (gachi_kit.receipts)
    idempotency_in_flight_seconds: int
    default_routing_policy: str
    default_acceptance_hours: int
    log_level: str
    exports_dir: str  # large performance exports, until downloaded

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None) -> Settings:
        env = Env(overrides)
        _private, public = env.jwt_keys()
        return cls(
            database_url=env.database_url(SERVICE),
            redis_url=env.redis_url(),
            broker_url=env.broker_url(),
            rate_limits=RateLimits.load(env, env.redis_url()),
            jwt_public_key=public,
            catalog_url=env.str("CATALOG_URL", "http://127.0.0.1:8001"),
            catalog_timeout_seconds=env.float("CATALOG_TIMEOUT_SECONDS", 5.0),
            outbox_sweep_seconds=env.float("OUTBOX_SWEEP_SECONDS", 10.0),
            outbox_confirm_seconds=env.outbox_confirm_seconds(),
            notify_url=env.str("NOTIFY_URL", "http://127.0.0.1:8003"),
            idempotency_in_flight_seconds=env.int("IDEMPOTENCY_IN_FLIGHT_SECONDS", 60),
            # When an order names no brand (a brand sets its own policy and deadline).
            default_routing_policy=env.str("DEFAULT_ROUTING_POLICY", "local_first"),
            default_acceptance_hours=env.int("DEFAULT_ACCEPTANCE_HOURS", 24),
            log_level=env.str("LOG_LEVEL", "INFO"),
            exports_dir=str(env.data_dir() / "exports"),
        )
