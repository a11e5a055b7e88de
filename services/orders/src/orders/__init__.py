"""gachi orders service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from gachi_kit import receipts
from gachi_kit.celery import make_celery
from gachi_kit.db import Database
from gachi_kit.errors import map_errors
from gachi_kit.http import ServiceClient
from gachi_kit.jwks import own_service_tokens, service_verifier
from gachi_kit.outbox import Outbox
from gachi_kit.service_app import ServiceInfo, broker_pinger, init_service
from gachi_kit.timeouts import SERVICE_CALL_DEADLINE_SECONDS
from orders.adapters.catalog_client import CatalogClient
from orders.adapters.models import InboundEvent, OutboxMessage
from orders.config import SERVICE, Settings
from orders.wiring import OrdersWiring

# Which consumer services receive which of our events (see docs/architecture.md).
EVENT_ROUTES = {
    "order.*": ["notify"],
    "supplier_order.*": ["notify"],
    # The re-routing saga: orders reacts to its own declines and expiries.
    "supplier_order.declined": ["orders"],
    "supplier_order.partially_accepted": ["orders"],
    "supplier_order.expired": ["orders"],
    "group_order.*": ["notify"],
    "performance.*": ["notify"],  # behind-pace alerts and statutory package reminders
}


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
                "task": "orders.relay_outbox",
                "schedule": settings.outbox_sweep_seconds,
            },
            "expire-overdue": {"task": "orders.expire_overdue", "schedule": 60.0},
            "close-due-group-orders": {"task": "orders.close_due_group_orders", "schedule": 60.0},
            "performance-alerts": {"task": "orders.performance_alerts", "schedule": 86400.0},
        },
    )
    tokens = own_service_tokens(config, SERVICE)
    outbox = Outbox(
        source=SERVICE,
        model=OutboxMessage,
        db=db,
        celery=celery,
        routes=EVENT_ROUTES,
        receipts={
            "notify": receipts.over_http("notify", settings.notify_url, tokens),
            "orders": receipts.in_table(db, InboundEvent),
        },
        confirm_after=settings.outbox_confirm_seconds,
    )
    catalog_http = ServiceClient(
        settings.catalog_url,
        token=lambda: tokens.for_audience("catalog"),
        read_timeout=settings.catalog_timeout_seconds,
        retry_methods=("GET", "POST"),  # POST /v1/pricing only reads, so it is safe to repeat
        deadline=SERVICE_CALL_DEADLINE_SECONDS,  # a buyer is waiting: 503 within it
    )
    app.extensions[SERVICE] = OrdersWiring(
        settings=settings, db=db, outbox=outbox, catalog=CatalogClient(catalog_http)
    )
    api = init_service(
        app,
        ServiceInfo(SERVICE, "gachi orders API"),
        db=db,
        verifier=service_verifier(config, SERVICE, settings.jwt_public_key),
        broker_ping=broker_pinger(celery),
        rate_limits=settings.rate_limits,
        outbox_model=OutboxMessage,
    )
    from orders import tasks
    from orders.api import (
        documents,
        errors,
        group_orders,
        institutions,
        ops,
        orders,
        performance,
        quotations,
        supplier_orders,
    )

    map_errors(app, errors.PROBLEMS)

    for blueprint in (institutions.blp, orders.blp, supplier_orders.blp, group_orders.blp):
        api.register_blueprint(blueprint)
    for blueprint in (performance.blp, performance.catalogue, performance.public, documents.blp):
        api.register_blueprint(blueprint)
    api.register_blueprint(quotations.blp)
    api.register_blueprint(ops.blp)
    tasks.register(celery)
    return app
