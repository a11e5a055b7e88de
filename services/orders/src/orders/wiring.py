"""What a use case needs from the running app, in one object: `OrdersWiring` (settings,
database, outbox, catalog client). Use cases take it as their first argument, `wiring`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from gachi_kit.db import Database
from gachi_kit.outbox import Outbox
from orders.adapters.catalog_client import CatalogClient
from orders.config import Settings


@dataclass(frozen=True)
class OrdersWiring:
    settings: Settings
    db: Database
    outbox: Outbox
    catalog: CatalogClient


def current_wiring() -> OrdersWiring:
    """The running app's wiring (inside a request or a task)."""
    return current_app.extensions["orders"]
