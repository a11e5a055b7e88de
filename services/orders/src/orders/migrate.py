"""Apply orders's migrations to its database."""

from pathlib import Path

from gachi_kit.db import Database
from gachi_kit.migrations import upgrade

SERVICE_DIR = Path(__file__).resolve().parents[2]


def migrate(url: str) -> None:
    upgrade(SERVICE_DIR, url)
    seed_reference_rows(url)


def seed_reference_rows(url: str) -> None:
    """The shipped 우선구매 categories (kept when an administrator edited them)."""
    from orders.services.performance.categories import ensure_seeded

    database = Database(url)
    with database.transaction() as session:
        ensure_seeded(session)
    database.dispose()
