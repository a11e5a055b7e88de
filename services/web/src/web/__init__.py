"""gachi web: the portal people use in a browser, and identity (who they are, what they may
act as, the tokens the APIs accept)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import redis
from argon2 import PasswordHasher
from flask import Flask
from flask_session import Session
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

from gachi_kit import receipts
from gachi_kit.celery import make_celery
from gachi_kit.db import Database
from gachi_kit.jwks import own_service_tokens, service_verifier
from gachi_kit.outbox import Outbox
from gachi_kit.service_app import ServiceInfo, broker_pinger, init_service
from gachi_kit.timeouts import REDIS_CLIENT
from web.config import SERVICE, Settings
from web.identity.keys import KeyRing
from web.identity.models import OutboxMessage
from web.wiring import Web

# Which consumer services receive which of our events (see docs/architecture.md).
EVENT_ROUTES = {"identity.*": ["notify"]}
csrf = CSRFProtect()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = Settings.load(config)
    app = Flask(__name__)
    app.config.update(
        LOG_LEVEL=settings.log_level,
        SECRET_KEY=settings.secret_key,
        # Server-side sessions: the cookie holds only a random id; the data is in Redis.
        SESSION_TYPE="redis",
        SESSION_REDIS=redis.Redis.from_url(settings.redis_url, **REDIS_CLIENT),
        SESSION_KEY_PREFIX="web:session:",
        SESSION_PERMANENT=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,  # idle timeout: each request starts it again
        SESSION_COOKIE_NAME="gachi_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    db = Database(settings.database_url)
    celery = make_celery(
        app,
        queue=SERVICE,
        broker_url=settings.broker_url,
        beat_schedule={
            "relay-outbox": {"task": "web.relay_outbox", "schedule": settings.outbox_sweep_seconds},
        },
    )
    service_tokens = own_service_tokens(config, SERVICE)
    outbox = Outbox(
        source=SERVICE,
        model=OutboxMessage,
        db=db,
        celery=celery,
        routes=EVENT_ROUTES,
        receipts={"notify": receipts.over_http("notify", settings.notify_url, service_tokens)},
        confirm_after=settings.outbox_confirm_seconds,
    )
    app.extensions[SERVICE] = Web(
        settings=settings,
        db=db,
        outbox=outbox,
        keys=KeyRing(
            settings.signing_keys_dir,
            create_if_empty=not settings.production,
            activation_seconds=settings.key_activation_seconds,
        ),
        service_tokens=service_tokens,
        passwords=PasswordHasher(),
        links=URLSafeTimedSerializer(settings.secret_key, salt="gachi-web-links"),
        redis=app.config["SESSION_REDIS"],
    )
    api = init_service(
        app,
        ServiceInfo(SERVICE, "gachi web: identity API"),
        db=db,
        verifier=service_verifier(config, SERVICE, settings.jwt_public_key),
        broker_ping=broker_pinger(celery),
        rate_limits=settings.rate_limits,
        outbox_model=OutboxMessage,
    )
    Session(app)
    csrf.init_app(app)
    from web import tasks
    from web.identity import views

    views.register(app, api, csrf)
    tasks.register(celery)
    if importlib.util.find_spec("web.portal") is not None:
        importlib.import_module("web.portal").register(app)
    return app
