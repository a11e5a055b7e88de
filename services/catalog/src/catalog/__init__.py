"""gachi catalog service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery.schedules import crontab
from flask import Flask

from catalog.adapters.models import OutboxMessage
from catalog.config import SERVICE, Settings
from catalog.domain.documents import MAX_DOCUMENT_BYTES
from catalog.services.published import EVENT_ROUTES
from catalog.wiring import Catalog
from gachi_kit import receipts
from gachi_kit.celery import make_celery
from gachi_kit.db import Database
from gachi_kit.errors import map_errors
from gachi_kit.jwks import own_service_tokens, service_verifier
from gachi_kit.outbox import Outbox
from gachi_kit.service_app import ServiceInfo, broker_pinger, init_service

# Bodies: 2 MiB like every service, except CSV imports (api/imports.py) and application
# documents (domain/documents.py; plus room for the multipart envelope).
MULTIPART_ENVELOPE = 64 * 1024


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
            "relay-outbox": {
                "task": "catalog.relay_outbox",
                "schedule": settings.outbox_sweep_seconds,
            },
            "scan-certifications": {
                "task": "catalog.scan_certifications",
                "schedule": crontab(hour=settings.certification_scan_hour, minute=5),
            },
            "scan-listings": {
                "task": "catalog.scan_listings",
                "schedule": crontab(hour=settings.certification_scan_hour, minute=20),
            },
        },
    )
    tokens = own_service_tokens(config, SERVICE)
    outbox = Outbox(
        source=SERVICE,
        model=OutboxMessage,
        db=db,
        celery=celery,
        routes=EVENT_ROUTES,
        receipts={"notify": receipts.over_http("notify", settings.notify_url, tokens)},
        confirm_after=settings.outbox_confirm_seconds,
    )
    app.extensions[SERVICE] = Catalog(settings=settings, db=db, outbox=outbox)
    from catalog import tasks
    from catalog.api import (
        brands,
        categories,
        enterprises,
        imports,
        listings,
        pricing,
        product_groups,
        products,
    )
    from catalog.api.errors import CATALOG_ERRORS

    api = init_service(
        app,
        ServiceInfo(SERVICE, "gachi catalog API"),
        db=db,
        verifier=service_verifier(config, SERVICE, settings.jwt_public_key),
        broker_ping=broker_pinger(celery),
        rate_limits=settings.rate_limits,
        outbox_model=OutboxMessage,
        larger_bodies={
            "/v1/imports/*": imports.MAX_IMPORT_BYTES,
            "/v1/listings/*/documents": MAX_DOCUMENT_BYTES + MULTIPART_ENVELOPE,
        },
    )
    for blueprint in (
        enterprises.blp,
        enterprises.scans,
        products.blp,
        pricing.blp,
        categories.blp,
        product_groups.blp,
        brands.blp,
        listings.blp,
        listings.committee,
        imports.blp,
    ):
        api.register_blueprint(blueprint)
    map_errors(app, CATALOG_ERRORS)
    tasks.register(celery)
    return app
