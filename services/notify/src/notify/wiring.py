"""What a use case needs from the running app, in one object."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from gachi_kit.db import Database
from notify.config import Settings


@dataclass(frozen=True)
class Notify:
    settings: Settings
    db: Database


def notify() -> Notify:
    return current_app.extensions["notify"]
