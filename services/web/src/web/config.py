"""Web settings (portal and identity), read once from overrides or the environment.

The embedded default needs nothing: the session secret and web's signing key are created
once in the data folder. With GACHI_ENV=production both must be given (WEB_SECRET_KEY and a
key folder WEB_SIGNING_KEYS_DIR holding at least one key), so a container never signs with a
key it made up on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gachi_kit.config import Env, dev_secret
from gachi_kit.ratelimit import RateLimits

SERVICE = "web"
# Access tokens live at most this long: a removed membership stops working within it.
MAX_ACCESS_TOKEN_MINUTES = 15


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    broker_url: str  # CELERY_BROKER_URL (amqp:// or redis://), else redis_url
    rate_limits: RateLimits
    log_level: str
    data_dir: Path
    production: bool
    secret_key: str
    public_url: str
    # keys and tokens
    signing_keys_dir: Path
    jwt_public_key: str  # the developer key (`gachi token`), trusted for bearer calls to web
    access_token_minutes: int
    key_activation_seconds: float
    # browser sessions
    session_idle_minutes: int
    session_absolute_hours: int
    cookie_secure: bool
    # sign-in throttling
    max_failures_per_account: int
    max_failures_per_address: int
    failure_window_minutes: int
    # one-time links (invitations, password reset, unlock)
    invitation_days: int
    reset_minutes: int
    unlock_hours: int
    # the APIs the portal calls
    catalog_url: str
    orders_url: str
    notify_url: str
    api_timeout_seconds: float
    outbox_sweep_seconds: float
    outbox_confirm_seconds: float

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None) -> Settings:
        env = Env(overrides)
        data = env.data_dir()
        production = env.production()
        _private, public = env.jwt_keys()
        minutes = env.int("ACCESS_TOKEN_MINUTES", MAX_ACCESS_TOKEN_MINUTES)
        if not 1 <= minutes <= MAX_ACCESS_TOKEN_MINUTES:
            raise ValueError(f"ACCESS_TOKEN_MINUTES={minutes}: use 1..{MAX_ACCESS_TOKEN_MINUTES}")
        # a folder, not a secret's value: in production it must be named, never made up
        keys_dir = env.secret("WEB_SIGNING_KEYS_DIR")
        secret = env.secret("WEB_SECRET_KEY")
        return cls(
            database_url=env.database_url(SERVICE),
            redis_url=env.redis_url(),
            broker_url=env.broker_url(),
            rate_limits=RateLimits.load(env, env.redis_url()),
            log_level=env.str("LOG_LEVEL", "INFO"),
            data_dir=data,
            production=production,
            secret_key=secret or dev_secret(data, "web-secret"),
            public_url=env.str("WEB_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            signing_keys_dir=Path(keys_dir) if keys_dir else data / "keys" / "web",
            jwt_public_key=public,
            access_token_minutes=minutes,
            # > the APIs' JWKS_REFETCH_COOLDOWN_SECONDS (30): see identity/keys.py
            key_activation_seconds=env.float("WEB_KEY_ACTIVATION_SECONDS", 60.0),
            session_idle_minutes=env.int("SESSION_IDLE_MINUTES", 30),
            session_absolute_hours=env.int("SESSION_ABSOLUTE_HOURS", 12),
            cookie_secure=env.bool("SESSION_COOKIE_SECURE", production),
            max_failures_per_account=env.int("SIGNIN_MAX_FAILURES_PER_ACCOUNT", 5),
            max_failures_per_address=env.int("SIGNIN_MAX_FAILURES_PER_ADDRESS", 20),
            failure_window_minutes=env.int("SIGNIN_FAILURE_WINDOW_MINUTES", 15),
            invitation_days=env.int("INVITATION_DAYS", 7),
            reset_minutes=env.int("PASSWORD_RESET_MINUTES", 30),
            unlock_hours=env.int("UNLOCK_LINK_HOURS", 24),
            catalog_url=env.str("CATALOG_URL", "http://127.0.0.1:8001"),
            orders_url=env.str("ORDERS_URL", "http://127.0.0.1:8002"),
            notify_url=env.str("NOTIFY_URL", "http://127.0.0.1:8003"),
            api_timeout_seconds=env.float("API_TIMEOUT_SECONDS", 5.0),
            outbox_sweep_seconds=env.float("OUTBOX_SWEEP_SECONDS", 10.0),
            outbox_confirm_seconds=env.outbox_confirm_seconds(),
        )
