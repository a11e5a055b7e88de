"""Material edits of a listed product: inside the product edit's transaction, the edits a
brand committee must see open (or join) a `change` re-review of each approved listing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.adapters.models import Brand, BrandListing, Product
from catalog.domain import listing as rules
from catalog.services import published
from catalog.services.listings.transitions import audit, move_rereview
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.events import utcnow

FIELD_LABELS = {
    "name": "상품명",
    "description": "설명",
    "unit": "단위",
    "image_urls": "이미지",
    "unit_price": "단가",
}


def flag_material_change(
    catalog: Catalog,
    session: Session,
    product: Product,
    changes: dict[str, tuple],
    actor: Principal,
) -> int:
    """Put what changed before the committee of every brand the product is approved under.
    The listing stays approved; the edits join the open re-review, or open one of kind
    "change". `changes`: {field: (old, new)}. Returns how many listings were flagged."""
    # Locked: a vote landing on the same listing meanwhile is waited for, not overwritten.
    listings = session.scalars(
        select(BrandListing)
        .where(BrandListing.product_id == product.id, BrandListing.status == "approved")
        .order_by(BrandListing.brand_code)
        .with_for_update()
    ).all()
    flagged = 0
    for listing in listings:
        brand = session.get(Brand, listing.brand_code)
        material = _material_changes(listing, brand, changes, actor)
        if not material:
            continue
        summary = "; ".join(_describe(change) for change in material)
        listing.rereview_changes = [*(listing.rereview_changes or []), *material]
        if listing.rereview_status is None:
            move_rereview(catalog, session, listing, brand, actor, "open", summary, kind="change")
        else:
            listing.updated_at = utcnow()
            audit(session, listing, actor, "flag_change", "approved", "approved", summary)
        published.listing_change_flagged(catalog, session, listing, brand, material)
        flagged += 1
    return flagged


def _material_changes(listing, brand, changes: dict[str, tuple], actor) -> list[dict]:
    at = utcnow().isoformat()
    found = []
    for field, (old, new) in changes.items():
        if field == "unit_price":
            reviewed = listing.reviewed_unit_price if listing.reviewed_unit_price else old
            if not rules.price_is_material(reviewed, new, brand.price_tolerance_percent):
                continue
            old = reviewed
        elif field not in rules.LISTING_MATERIAL_FIELDS:
            continue
        found.append(
            {
                "field": field,
                "old": list(old) if isinstance(old, list | tuple) else old,
                "new": list(new) if isinstance(new, list | tuple) else new,
                "changed_at": at,
                "changed_by": actor.sub,
            }
        )
    return found


def _describe(change: dict) -> str:
    label = FIELD_LABELS[change["field"]]
    if change["field"] in ("name", "unit", "unit_price"):
        return f"{label}: {change['old']} → {change['new']}"
    return f"{label} 변경"
