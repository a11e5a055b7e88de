"""gachi catalog service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from catalog.adapters.models import OutboxMessage
from catalog.config import SERVICE, Settings
from catalog.wiring import Catalog
from gachi_kit.auth import TokenVerifier
from gachi_kit.celery import make_celery
from gachi_kit.db import Database
from gachi_kit.outbox import Outbox
from gachi_kit.service_app import ServiceInfo, broker_pinger, init_service

# Which consumer services receive which of our events (see docs/architecture.md).
EVENT_ROUTES = {
    "enterprise.*": ["notify"],
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = Settings.load(config)
    app = Flask(__name__)
    app.config["LOG_LEVEL"] = settings.log_level
    db = Database(settings.database_url)
    celery = make_celery(
        app,
        queue=SERVICE,
        broker_url=settings.redis_url,
        beat_schedule={
            "relay-outbox": {
                "task": "catalog.relay_outbox",
                "schedule": settings.outbox_sweep_seconds,
            }
        },
    )
    outbox = Outbox(source=SERVICE, model=OutboxMessage, db=db, celery=celery, routes=EVENT_ROUTES)
    app.extensions[SERVICE] = Catalog(settings=settings, db=db, outbox=outbox)
    api = init_service(
        app,
        ServiceInfo(SERVICE, "gachi catalog API"),
        db=db,
        verifier=TokenVerifier(settings.jwt_public_key, audience=SERVICE),
        broker_ping=broker_pinger(celery),
    )
    from catalog import tasks
    from catalog.api import enterprises, pricing, products

    for blueprint in (enterprises.blp, products.blp, pricing.blp):
        api.register_blueprint(blueprint)
    tasks.register(celery)
    return app
