"""Notify settings, read once from overrides or the environment.

Every setting has an embedded default that works on a fresh machine: e-mail is written as
`.eml` files to `$GACHI_DATA_DIR/mail/` unless `SMTP_HOST` is set, SMS and 알림톡 are
appended to log files in the data folder, and webhooks to loopback addresses are refused
unless `WEBHOOK_ALLOW_LOOPBACK=1`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gachi_kit.config import Env, dev_secret
from gachi_kit.ratelimit import RateLimits

SERVICE = "notify"
TEXT_PROVIDERS = ("file", "nhncloud")


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    broker_url: str  # CELERY_BROKER_URL (amqp:// or redis://), else redis_url
    rate_limits: RateLimits
    jwt_public_key: str
    max_event_attempts: int
    log_level: str
    data_dir: Path
    # orders, for signed action links
    orders_url: str
    orders_timeout_seconds: float
    public_url: str
    action_link_secret: str
    action_link_ttl_hours: int
    web_public_url: str  # the portal, where a message's order is answered after sign-in
    # e-mail
    smtp_host: str | None
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_starttls: bool
    smtp_timeout_seconds: float
    mail_from: str
    mail_dir: Path
    # SMS and 알림톡
    sms_provider: str
    sms_api_url: str
    sms_app_key: str
    sms_secret_key: str
    sms_sender_number: str
    sms_log_file: Path
    alimtalk_provider: str
    alimtalk_api_url: str
    alimtalk_app_key: str
    alimtalk_secret_key: str
    alimtalk_sender_key: str
    alimtalk_log_file: Path
    sms_daily_cap: int
    alimtalk_daily_cap: int
    # webhooks
    webhook_timeout_seconds: float
    webhook_allow_loopback: bool
    webhook_secret_overlap_hours: int
    # deliveries
    delivery_max_attempts: int
    delivery_backoff_base_seconds: float
    delivery_backoff_max_seconds: float
    delivery_lease_seconds: float
    delivery_per_destination: int
    delivery_slow_after_seconds: float
    delivery_defer_seconds: float
    delivery_requeue_seconds: float
    delivery_sweep_seconds: float
    reminder_scan_seconds: float
    digest_sweep_seconds: float

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None) -> Settings:
        env = Env(overrides)
        _private, public = env.jwt_keys()
        data = env.data_dir()
        sms_provider = env.str("SMS_PROVIDER", "file")
        alimtalk_provider = env.str("ALIMTALK_PROVIDER", "file")
        for name, value in (
            ("SMS_PROVIDER", sms_provider),
            ("ALIMTALK_PROVIDER", alimtalk_provider),
        ):
            if value not in TEXT_PROVIDERS:
                raise ValueError(f"{name}={value!r}: use one of {', '.join(TEXT_PROVIDERS)}")
        return cls(
            database_url=env.database_url(SERVICE),
            redis_url=env.redis_url(),
            broker_url=env.broker_url(),
            rate_limits=RateLimits.load(env, env.redis_url()),
            jwt_public_key=public,
            max_event_attempts=env.int("MAX_EVENT_ATTEMPTS", 5),
            log_level=env.str("LOG_LEVEL", "INFO"),
            data_dir=data,
            orders_url=env.str("ORDERS_URL", "http://127.0.0.1:8002"),
            orders_timeout_seconds=env.float("ORDERS_TIMEOUT_SECONDS", 5.0),
            public_url=env.str("NOTIFY_PUBLIC_URL", "http://127.0.0.1:8003").rstrip("/"),
            action_link_secret=env.secret("ACTION_LINK_SECRET")
            or dev_secret(data, "notify-link-secret"),
            action_link_ttl_hours=env.int("ACTION_LINK_TTL_HOURS", 72),
            web_public_url=env.str("WEB_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            smtp_host=env.optional("SMTP_HOST"),
            smtp_port=env.int("SMTP_PORT", 25),
            smtp_username=env.optional("SMTP_USERNAME"),
            smtp_password=env.optional("SMTP_PASSWORD"),
            smtp_starttls=env.bool("SMTP_STARTTLS", False),
            smtp_timeout_seconds=env.float("SMTP_TIMEOUT_SECONDS", 5.0),
            mail_from=env.str("MAIL_FROM", "같이 알림 <no-reply@gachi.local>"),
            mail_dir=Path(env.str("MAIL_DIR", str(data / "mail"))),
            sms_provider=sms_provider,
            sms_api_url=env.str("SMS_API_URL", "https://api-sms.cloud.toast.com").rstrip("/"),
            sms_app_key=env.str("SMS_APP_KEY", ""),
            sms_secret_key=env.str("SMS_SECRET_KEY", ""),
            sms_sender_number=env.str("SMS_SENDER_NUMBER", ""),
            sms_log_file=Path(env.str("SMS_LOG_FILE", str(data / "sms.log"))),
            alimtalk_provider=alimtalk_provider,
            alimtalk_api_url=env.str(
                "ALIMTALK_API_URL", "https://api-alimtalk.cloud.toast.com"
            ).rstrip("/"),
            alimtalk_app_key=env.str("ALIMTALK_APP_KEY", ""),
            alimtalk_secret_key=env.str("ALIMTALK_SECRET_KEY", ""),
            alimtalk_sender_key=env.str("ALIMTALK_SENDER_KEY", ""),
            alimtalk_log_file=Path(env.str("ALIMTALK_LOG_FILE", str(data / "alimtalk.log"))),
            sms_daily_cap=env.int("SMS_DAILY_CAP", 30),
            alimtalk_daily_cap=env.int("ALIMTALK_DAILY_CAP", 50),
            webhook_timeout_seconds=env.float("WEBHOOK_TIMEOUT_SECONDS", 5.0),
            webhook_allow_loopback=env.bool("WEBHOOK_ALLOW_LOOPBACK", False),
            webhook_secret_overlap_hours=env.int("WEBHOOK_SECRET_OVERLAP_HOURS", 24),
            delivery_max_attempts=env.int("DELIVERY_MAX_ATTEMPTS", 12),
            delivery_backoff_base_seconds=env.float("DELIVERY_BACKOFF_BASE_SECONDS", 60.0),
            delivery_backoff_max_seconds=env.float("DELIVERY_BACKOFF_MAX_SECONDS", 6 * 3600.0),
            delivery_lease_seconds=env.float("DELIVERY_LEASE_SECONDS", 120.0),
            delivery_per_destination=env.int("DELIVERY_PER_DESTINATION", 2),
            delivery_slow_after_seconds=env.float("DELIVERY_SLOW_AFTER_SECONDS", 1.0),
            delivery_defer_seconds=env.float("DELIVERY_DEFER_SECONDS", 5.0),
            delivery_requeue_seconds=env.float("DELIVERY_REQUEUE_SECONDS", 60.0),
            delivery_sweep_seconds=env.float("DELIVERY_SWEEP_SECONDS", 10.0),
            reminder_scan_seconds=env.float("REMINDER_SCAN_SECONDS", 60.0),
            digest_sweep_seconds=env.float("DIGEST_SWEEP_SECONDS", 300.0),
        )
