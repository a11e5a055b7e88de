"""Notify settings, read once from overrides or the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gachi_kit.config import Env

SERVICE = "notify"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    jwt_public_key: str
    max_event_attempts: int
    log_level: str

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None) -> Settings:
        env = Env(overrides)
        _private, public = env.jwt_keys()
        return cls(
            database_url=env.database_url(SERVICE),
            redis_url=env.redis_url(),
            jwt_public_key=public,
            max_event_attempts=env.int("MAX_EVENT_ATTEMPTS", 5),
            log_level=env.str("LOG_LEVEL", "INFO"),
        )
