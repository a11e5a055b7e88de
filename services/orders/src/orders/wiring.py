"""What a use case needs from the running app, in one object."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from gachi_kit.db import Database
from gachi_kit.outbox import Outbox
from orders.adapters.catalog_client import CatalogClient
from orders.config import Settings


@dataclass(frozen=True)
class Orders:
    settings: Settings
    db: Database
    outbox: Outbox
    catalog: CatalogClient


def orders() -> Orders:
    return current_app.extensions["orders"]
