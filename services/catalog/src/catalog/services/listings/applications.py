"""Use cases: an enterprise drafts, edits, submits and withdraws its application for a
brand. Each owns its transaction (`access.act` for an existing listing)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import BrandListing, Product
from catalog.domain import listing as rules
from catalog.services.listings.access import act, find_brand, listing_exists
from catalog.services.listings.transitions import audit, move, start_round
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import not_found
from gachi_kit.events import utcnow


def create_application(catalog: Catalog, fields: dict, actor: Principal) -> BrandListing:
    try:
        with catalog.db.transaction() as session:
            brand = find_brand(session, fields["brand_code"])
            product = session.get(Product, fields["product_id"])
            if product is None or product.enterprise_id != actor.org:
                raise not_found("product", "상품")
            existing = session.scalar(
                select(BrandListing).where(
                    BrandListing.brand_code == brand.code, BrandListing.product_id == product.id
                )
            )
            if existing is None:
                listing = BrandListing(
                    brand_code=brand.code,
                    product_id=product.id,
                    enterprise_id=product.enterprise_id,
                    status="draft",
                )
                session.add(listing)
                session.flush()
                audit(session, listing, actor, "create", None, "draft", None)
            elif existing.status in rules.ACTIVE:
                raise listing_exists(existing)
            else:  # rejected, withdrawn or expired: apply again, as a new round
                listing = existing
                move(catalog, session, listing, brand, actor, "reapply")
                start_round(listing)
                for stale in ("submitted_at", "review_started_at", "decided_at"):
                    setattr(listing, stale, None)
                listing.decision_reason = listing.approved_at = listing.valid_until = None
            listing.pitch = fields.get("pitch", "")
            listing.document_urls = fields.get("document_urls", [])
            session.flush()
    except IntegrityError as exc:  # a concurrent request created it first
        raise listing_exists() from exc
    return listing


def update_application(
    catalog: Catalog, listing_id: str, fields: dict, actor: Principal
) -> BrandListing:
    def change(session, listing, brand, member):
        if listing.status != "draft":
            raise rules.TransitionRefused(listing.status, "edit")
        for field, value in fields.items():
            setattr(listing, field, value)
        listing.updated_at = utcnow()

    return act(catalog, listing_id, actor, change, who="owner")


def submit(catalog: Catalog, listing_id: str, actor: Principal) -> BrandListing:
    def change(session, listing, brand, member):
        move(catalog, session, listing, brand, actor, "submit")
        listing.submitted_at = utcnow()

    return act(catalog, listing_id, actor, change, who="owner")


def withdraw(
    catalog: Catalog, listing_id: str, reason: str | None, actor: Principal
) -> BrandListing:
    def change(session, listing, brand, member):
        move(catalog, session, listing, brand, actor, "withdraw", reason)

    return act(catalog, listing_id, actor, change, who="owner")
