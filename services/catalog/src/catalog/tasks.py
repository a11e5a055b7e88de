"""Celery entry points: thin, they call use cases and pass only ids and plain data."""

from __future__ import annotations

from datetime import date

from celery import Celery

from catalog.services.certifications import scan_certifications
from catalog.services.listings.scans import scan_listings
from catalog.wiring import catalog
from gachi_kit import receipts


def register(celery: Celery) -> None:
    @celery.task(name="catalog.relay_outbox")
    def relay_outbox() -> int:
        """Periodic sweep: publish outbox rows the after-commit relay missed, then send again
        what a consumer says it never received (gachi_kit.receipts)."""
        return receipts.sweep(catalog().outbox)

    @celery.task(name="catalog.scan_certifications")
    def scan(today: str | None = None) -> dict[str, int]:
        """Daily (beat) and on demand: announce expiring and expired certifications once.

        `today` (YYYY-MM-DD) is for operators replaying a missed day; default: today in Korea.
        """
        return scan_certifications(catalog(), date.fromisoformat(today) if today else None)

    @celery.task(name="catalog.scan_listings")
    def scan_brand_listings(today: str | None = None) -> dict[str, int]:
        """Daily (beat): expire brand listings past their term, announce those expiring."""
        return scan_listings(catalog(), date.fromisoformat(today) if today else None)
