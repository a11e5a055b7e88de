"""Catalog settings, read once from overrides or the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gachi_kit.config import Env
from gachi_kit.ratelimit import RateLimits

SERVICE = "catalog"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    broker_url: str  # CELERY_BROKER_URL (amqp:// or redis://), else redis_url
    rate_limits: RateLimits
    jwt_public_key: str
    outbox_sweep_seconds: float
    outbox_confirm_seconds: float
    notify_url: str  # asked which events it received (gachi_kit.receipts)
    certification_scan_hour: int
    log_level: str

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
            outbox_sweep_seconds=env.float("OUTBOX_SWEEP_SECONDS", 10.0),
            outbox_confirm_seconds=env.outbox_confirm_seconds(),
            notify_url=env.str("NOTIFY_URL", "http://127.0.0.1:8003"),
            # Hour of the day (Asia/Seoul, the Celery timezone) of the certification scan.
            certification_scan_hour=env.int("CERTIFICATION_SCAN_HOUR", 6),
            log_level=env.str("LOG_LEVEL", "INFO"),
        )
