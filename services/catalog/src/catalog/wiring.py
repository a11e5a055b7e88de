"""What a use case needs from the running app, in one object."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from catalog.config import Settings
from gachi_kit.db import Database
from gachi_kit.outbox import Outbox


@dataclass(frozen=True)
class Catalog:
    settings: Settings
    db: Database
    outbox: Outbox


def catalog() -> Catalog:
    return current_app.extensions["catalog"]
