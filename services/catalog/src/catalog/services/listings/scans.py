"""Use cases of the daily scans: listing terms (expiry, renewal reviews, notices) and, inside
the certification scan's transaction, the suspension of a lapsed enterprise's listings."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.adapters.models import Brand, BrandListing, Product
from catalog.domain import listing as rules
from catalog.services import published
from catalog.services.listings.transitions import SYSTEM, audit, move, move_rereview
from catalog.wiring import Catalog
from gachi_kit.dates import today_kst
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger

log = get_logger(__name__)


def scan_listings(catalog: Catalog, today: date | None = None) -> dict[str, int]:
    """Daily: expire approvals whose term ended; open the renewal review of those ending
    within 60 days; announce those ending within 30 days. Each happens once per term."""
    today = today or today_kst()
    renewal_horizon = today + timedelta(days=rules.RENEWAL_OPENS_DAYS)
    notice_horizon = today + timedelta(days=rules.EXPIRING_NOTICE_DAYS)
    counts = {"expired": 0, "renewal_opened": 0, "expiring": 0}
    with catalog.db.transaction() as session:
        renewal_due = (
            (BrandListing.valid_until <= renewal_horizon)
            & BrandListing.rereview_status.is_(None)
            & (
                BrandListing.renewal_opened_for.is_(None)
                | (BrandListing.renewal_opened_for != BrandListing.valid_until)
            )
        )
        notice_due = (BrandListing.valid_until <= notice_horizon) & (
            BrandListing.expiring_notified_at.is_(None)
        )
        stmt = (
            select(BrandListing)
            .where(BrandListing.status == "approved", BrandListing.valid_until.is_not(None))
            .where((BrandListing.valid_until < today) | renewal_due | notice_due)
            .order_by(BrandListing.valid_until, BrandListing.id)
            .with_for_update(skip_locked=True)
        )
        for listing in session.scalars(stmt).all():
            brand = session.get(Brand, listing.brand_code)
            if listing.valid_until < today:
                move(catalog, session, listing, brand, SYSTEM, "expire", "유효기간 만료")
                counts["expired"] += 1
                continue
            if listing.valid_until <= renewal_horizon and _renewal_due(listing):
                _open_renewal(catalog, session, listing, brand, today)
                counts["renewal_opened"] += 1
            if listing.valid_until <= notice_horizon and listing.expiring_notified_at is None:
                listing.expiring_notified_at = utcnow()
                published.listing_term_ending(
                    catalog, session, listing, brand, "listing.expiring", today
                )
                audit(session, listing, SYSTEM, "expiring_notice", None, None, None)
                counts["expiring"] += 1
    log.info("listing_scan", today=today.isoformat(), **counts)
    return counts


def _renewal_due(listing: BrandListing) -> bool:
    """Not yet opened for this term, and no other re-review open (a change review first
    finishes; the next day's scan then opens the renewal)."""
    return listing.rereview_status is None and listing.renewal_opened_for != listing.valid_until


def _open_renewal(catalog, session, listing, brand, today: date) -> None:
    listing.renewal_opened_for = listing.valid_until
    reason = f"유효기간 {listing.valid_until.isoformat()} 만료 전 갱신 심사"
    move_rereview(catalog, session, listing, brand, SYSTEM, "open", reason, kind="renewal")
    published.listing_term_ending(catalog, session, listing, brand, "listing.renewal_opened", today)


def suspend_for_lapsed_certification(catalog: Catalog, session: Session, enterprise_id: str) -> int:
    """Inside the certification scan's transaction: suspend the enterprise's approvals."""
    rows = session.scalars(
        select(BrandListing)
        .join(Product, Product.id == BrandListing.product_id)
        .where(Product.enterprise_id == enterprise_id, BrandListing.status == "approved")
    ).all()
    for listing in rows:
        brand = session.get(Brand, listing.brand_code)
        move(catalog, session, listing, brand, SYSTEM, "suspend", "기업 인증 만료 (자동 정지)")
    return len(rows)
