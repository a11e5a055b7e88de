"""gachi notify service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from gachi_kit.celery import make_celery
from gachi_kit.db import Database
from gachi_kit.errors import invalid, map_errors
from gachi_kit.http import ServiceClient
from gachi_kit.jwks import own_service_tokens, service_verifier
from gachi_kit.service_app import ServiceInfo, broker_pinger, init_service
from notify.adapters.bulkhead import Bulkhead
from notify.adapters.email import FileMailer, SMTPSender
from notify.adapters.links import LinkSigner
from notify.adapters.orders_client import OrdersClient
from notify.adapters.texting import FileProvider, NHNCloudProvider
from notify.adapters.webhooks import WebhookSender
from notify.config import SERVICE, Settings
from notify.domain.egress import UnsafeURL
from notify.wiring import Channels, Notify


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = Settings.load(config)
    app = Flask(__name__)
    app.config["LOG_LEVEL"] = settings.log_level
    db = Database(settings.database_url)
    celery = make_celery(
        app,
        queue=SERVICE,
        broker_url=settings.broker_url,
        beat_schedule={
            "sweep-deliveries": {
                "task": "notify.sweep_deliveries",
                "schedule": settings.delivery_sweep_seconds,
            },
            "scan-reminders": {
                "task": "notify.scan_reminders",
                "schedule": settings.reminder_scan_seconds,
            },
            "send-digests": {
                "task": "notify.send_digests",
                "schedule": settings.digest_sweep_seconds,
            },
        },
    )
    tokens = own_service_tokens(config, SERVICE)
    orders_http = ServiceClient(
        settings.orders_url,
        token=lambda: tokens.for_audience("orders"),
        read_timeout=settings.orders_timeout_seconds,
    )
    app.extensions[SERVICE] = Notify(
        settings=settings,
        db=db,
        celery=celery,
        channels=_channels(settings),
        orders=OrdersClient(orders_http),
        links=LinkSigner(settings.action_link_secret, settings.action_link_ttl_hours * 3600),
    )
    api = init_service(
        app,
        ServiceInfo(SERVICE, "gachi notify API"),
        db=db,
        verifier=service_verifier(config, SERVICE, settings.jwt_public_key),
        broker_ping=broker_pinger(celery),
        rate_limits=settings.rate_limits,
    )
    map_errors(app, {UnsafeURL: lambda exc: invalid("address", exc.detail, code=exc.code)})
    from notify import tasks
    from notify.api import deliveries, inbox, links, ops, subscriptions

    for blueprint in (inbox.blp, subscriptions.blp, deliveries.blp, ops.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(links.blp)
    tasks.register(celery)
    return app


def _channels(settings: Settings) -> Channels:
    if settings.smtp_host:
        email = SMTPSender(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    else:
        email = FileMailer(settings.mail_dir)

    def text(channel, provider, url, app_key, secret_key, sender, log_file):
        if provider == "nhncloud":
            return NHNCloudProvider(
                channel=channel,
                base_url=url,
                app_key=app_key,
                secret_key=secret_key,
                sender=sender,
            )
        return FileProvider(log_file)

    return Channels(
        email=email,
        sms=text(
            "sms",
            settings.sms_provider,
            settings.sms_api_url,
            settings.sms_app_key,
            settings.sms_secret_key,
            settings.sms_sender_number,
            settings.sms_log_file,
        ),
        alimtalk=text(
            "alimtalk",
            settings.alimtalk_provider,
            settings.alimtalk_api_url,
            settings.alimtalk_app_key,
            settings.alimtalk_secret_key,
            settings.alimtalk_sender_key,
            settings.alimtalk_log_file,
        ),
        webhook=WebhookSender(
            timeout=settings.webhook_timeout_seconds,
            allow_loopback=settings.webhook_allow_loopback,
        ),
        bulkhead=Bulkhead(settings.delivery_per_destination, settings.delivery_slow_after_seconds),
    )
