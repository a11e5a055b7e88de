"""Use case: an admin records a decision the committee took offline. Owns its transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import BrandListing, Product
from catalog.domain.brand import add_months
from catalog.services.listings.access import find_brand
from catalog.services.listings.transitions import audit, close_rereview, move
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.errors import concurrent_update, invalid, not_found
from gachi_kit.events import utcnow


def record_offline_approval(
    catalog: Catalog, code: str, product_id: str, fields: dict, actor: Principal
) -> BrandListing:
    """An admin records an approval the committee decided offline, or the term it set.

    Goes through the state machine like any decision (a suspended listing is reinstated by
    the committee instead: 409) and is audited. Recording the same approval again changes
    nothing and emits nothing. `valid_until` defaults to today plus the brand's validity.
    """
    today = today_kst()
    try:
        with catalog.db.transaction() as session:
            brand = find_brand(session, code)
            product = session.get(Product, product_id)
            if product is None:
                raise not_found("product", "상품")
            valid_until = fields.get("valid_until") or add_months(
                today, brand.listing_validity_months
            )
            if valid_until < today:
                raise invalid(
                    "valid_until", "유효기간 종료일이 오늘보다 빠릅니다.", code="invalid_period"
                )
            listing = session.scalar(
                select(BrandListing).where(
                    BrandListing.brand_code == code, BrandListing.product_id == product_id
                )
            )
            if listing is None:
                listing = BrandListing(
                    brand_code=code,
                    product_id=product_id,
                    enterprise_id=product.enterprise_id,
                    status="draft",
                )
                session.add(listing)
                session.flush()
                audit(session, listing, actor, "create", None, "draft", "오프라인 결정 기록")
            elif listing.status == "approved" and listing.valid_until == valid_until:
                return listing
            close_rereview(catalog, session, listing, brand, actor, "오프라인 결정으로 대체")
            listing.approved_at = utcnow()
            listing.decided_at = listing.approved_at
            listing.valid_until = valid_until
            listing.reviewed_unit_price = product.unit_price
            listing.expiring_notified_at = None
            move(catalog, session, listing, brand, actor, "record_offline", "위원회 오프라인 결정")
            session.flush()
    except IntegrityError as exc:  # a concurrent request recorded the same listing first
        raise concurrent_update() from exc
    return listing
