"""gachi notify service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from gachi_kit.auth import TokenVerifier
from gachi_kit.celery import make_celery
from gachi_kit.db import Database
from gachi_kit.service_app import ServiceInfo, broker_pinger, init_service
from notify.config import SERVICE, Settings
from notify.wiring import Notify


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = Settings.load(config)
    app = Flask(__name__)
    app.config["LOG_LEVEL"] = settings.log_level
    db = Database(settings.database_url)
    celery = make_celery(app, queue=SERVICE, broker_url=settings.redis_url)
    app.extensions[SERVICE] = Notify(settings=settings, db=db)
    api = init_service(
        app,
        ServiceInfo(SERVICE, "gachi notify API"),
        db=db,
        verifier=TokenVerifier(settings.jwt_public_key, audience=SERVICE),
        broker_ping=broker_pinger(celery),
    )
    from notify import tasks
    from notify.api import inbox

    api.register_blueprint(inbox.blp)
    tasks.register(celery)
    return app
