"""The events catalog publishes, who receives them and the data each carries: catalog's
event contract.

Every `outbox.record` of catalog is in this file. Use cases call these inside their own
transaction, so an event exists if and only if its change committed. Consumers read only
the fields they need, so fields are only ever added, never renamed or removed. The table in
docs/architecture.md lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy.orm import Session

from catalog.adapters.models import Brand, BrandListing, Certification, Enterprise, Product
from catalog.domain.enterprise import CONTACT_FIELDS
from catalog.domain.product import ProductChange
from catalog.wiring import Catalog
from gachi_kit.auth import Principal

# Which consumer services receive which of our events (fnmatch patterns; the outbox sends
# them to `<consumer>.handle_events` / `.handle_event` on the consumer's queue).
EVENT_ROUTES = {
    "enterprise.*": ["notify"],
    "listing.*": ["notify"],
}


# -- enterprises and certifications ------------------------------------------------------------


def enterprise_registered(
    catalog: Catalog, session: Session, enterprise: Mapping, registered_by: str
) -> None:
    """`enterprise`: the new row's id, name, enterprise_type, sigungu_code, email, phone."""
    catalog.outbox.record(
        session,
        "enterprise.registered",
        {
            "enterprise_id": enterprise["id"],
            "name": enterprise["name"],
            "enterprise_type": enterprise["enterprise_type"],
            "sigungu_code": enterprise["sigungu_code"],
            "email": enterprise.get("email"),
            "phone": enterprise.get("phone"),
            "registered_by": registered_by,
        },
        aggregate_id=enterprise["id"],
    )


def enterprise_updated(
    catalog: Catalog,
    session: Session,
    enterprise: Enterprise,
    changes: dict[str, tuple],
    actor: Principal,
) -> None:
    """`changes`: {field: (old, new)} of the fields the edit changed."""
    data = {
        "enterprise_id": enterprise.id,
        "name": enterprise.name,
        "status": enterprise.status,
        "changed_fields": sorted(changes),
        "changes": {f: {"old": old, "new": new} for f, (old, new) in changes.items()},
        "updated_by": actor.sub,
    }
    # The new contacts at the top level, only when they changed (notify follows them).
    data.update({f: getattr(enterprise, f) for f in CONTACT_FIELDS if f in changes})
    catalog.outbox.record(session, "enterprise.updated", data, aggregate_id=enterprise.id)


def certification_changed(
    catalog: Catalog,
    session: Session,
    enterprise: Enterprise,
    certification: Certification,
    actor: Principal | None,
    change: str,
    reason: str | None = None,
    corrected_fields: list[str] | None = None,
) -> None:
    """`enterprise.updated` for a certification `change`: added | corrected | removed."""
    catalog.outbox.record(
        session,
        "enterprise.updated",
        {
            "enterprise_id": enterprise.id,
            "name": enterprise.name,
            "status": enterprise.status,
            "changed_fields": ["certifications"],
            "changes": {},
            "certification": {
                "certification_id": certification.id,
                "kind": certification.kind,
                "number": certification.number,
                "issuer": certification.issuer,
                "valid_from": certification.valid_from.isoformat(),
                "valid_to": certification.valid_to.isoformat(),
                "change": change,
                "corrected_fields": corrected_fields or [],
                "reason": reason,
            },
            "updated_by": actor.sub if actor else None,
        },
        aggregate_id=enterprise.id,
    )


def certification_notice(
    catalog: Catalog,
    session: Session,
    certification: Certification,
    enterprise_name: str,
    notice: str,
    today: date,
) -> None:
    """`enterprise.certification_expiring` (with days_left) or `…_expired` (expired_on)."""
    data = {
        "enterprise_id": certification.enterprise_id,
        "enterprise_name": enterprise_name,
        "certification_id": certification.id,
        "kind": certification.kind,
        "number": certification.number,
        "issuer": certification.issuer,
        "valid_from": certification.valid_from.isoformat(),
        "valid_to": certification.valid_to.isoformat(),
    }
    if notice == "expiring":
        data["days_left"] = (certification.valid_to - today).days
    else:
        data["expired_on"] = (certification.valid_to + timedelta(days=1)).isoformat()
    catalog.outbox.record(
        session,
        f"enterprise.certification_{notice}",
        data,
        aggregate_id=certification.enterprise_id,
    )


# -- products ----------------------------------------------------------------------------------


def product_created(catalog: Catalog, session: Session, product: Product, actor: Principal) -> None:
    catalog.outbox.record(
        session,
        "product.created",
        {
            "product_id": product.id,
            "enterprise_id": product.enterprise_id,
            "sku": product.sku,
            "name": product.name,
            "category": product.category,
            "unit": product.unit,
            "unit_price": product.unit_price,
            "tax_type": product.tax_type,
            "group_code": product.group_code,
            "status": product.status,
            "version": product.version,
            "created_by": actor.sub,
        },
        aggregate_id=product.id,
    )


def product_updated(
    catalog: Catalog,
    session: Session,
    product: Product,
    change: ProductChange,
    before: Mapping,
    actor: Principal,
) -> None:
    """`before`: the product's version, unit_price and tax_type before the edit."""
    catalog.outbox.record(
        session,
        "product.updated",
        {
            "product_id": product.id,
            "enterprise_id": product.enterprise_id,
            "sku": product.sku,
            "name": product.name,
            "status": product.status,
            "version": product.version,
            "previous_version": before["version"],
            "changed_fields": change.changed_fields,
            "material_fields": change.material_fields,
            "unit_price": {"old": before["unit_price"], "new": product.unit_price},
            "tax_type": {"old": before["tax_type"], "new": product.tax_type},
            "updated_by": actor.sub,
        },
        aggregate_id=product.id,
    )


# -- brand listings ----------------------------------------------------------------------------

# The event of each transition of a listing's status (domain/listing.py's state machine).
LISTING_EVENTS = {
    "submit": "listing.submitted",
    "start_review": "listing.review_started",
    "approve": "listing.approved",
    "reject": "listing.rejected",
    "suspend": "listing.suspended",
    "reinstate": "listing.reinstated",
    "expire": "listing.expired",
    "withdraw": "listing.withdrawn",
    "reapply": "listing.reapplied",
    "record_offline": "listing.approved",
}

# The event of each outcome of a re-review (none for a refused change: the suspension says it).
REREVIEW_EVENTS = {
    "extend": "listing.renewed",
    "keep": "listing.change_approved",
    "lapse": "listing.renewal_refused",
}


def listing_moved(
    catalog: Catalog,
    session: Session,
    listing: BrandListing,
    brand: Brand,
    action: str,
    actor: Principal,
    reason: str | None,
) -> None:
    """The listing's status just moved by `action` (see LISTING_EVENTS)."""
    extra: dict = {}
    if reason:
        extra["reason"] = reason
    if listing.valid_until is not None:
        extra["valid_until"] = listing.valid_until.isoformat()
    if action in ("approve", "record_offline"):
        extra["approved_at"] = listing.approved_at.isoformat()
        extra["decided"] = "offline" if action == "record_offline" else "committee"
    extra["actor"] = actor.sub
    _listing_event(catalog, session, LISTING_EVENTS[action], listing, brand, **extra)


def rereview_started(
    catalog: Catalog, session: Session, listing: BrandListing, brand: Brand
) -> None:
    _listing_event(
        catalog,
        session,
        "listing.review_started",
        listing,
        brand,
        review_kind=listing.rereview_kind,
    )


def rereview_decided(
    catalog: Catalog,
    session: Session,
    listing: BrandListing,
    brand: Brand,
    outcome: str,
    kind: str,
    changes: list[dict],
    reason: str,
    actor: Principal,
) -> None:
    """A re-review of `kind` ended in `outcome` (see REREVIEW_EVENTS)."""
    _listing_event(
        catalog,
        session,
        REREVIEW_EVENTS[outcome],
        listing,
        brand,
        review_kind=kind,
        reason=reason,
        changes=changes,
        actor=actor.sub,
        valid_until=listing.valid_until.isoformat(),
    )


def listing_term_ending(
    catalog: Catalog,
    session: Session,
    listing: BrandListing,
    brand: Brand,
    event_type: str,
    today: date,
) -> None:
    """`listing.expiring` (30 days ahead) or `listing.renewal_opened` (60 days ahead)."""
    _listing_event(
        catalog,
        session,
        event_type,
        listing,
        brand,
        valid_until=listing.valid_until.isoformat(),
        days_left=(listing.valid_until - today).days,
    )


def listing_change_flagged(
    catalog: Catalog, session: Session, listing: BrandListing, brand: Brand, changes: list[dict]
) -> None:
    _listing_event(
        catalog,
        session,
        "listing.change_flagged",
        listing,
        brand,
        changes=changes,
        review_kind=listing.rereview_kind,
    )


def _listing_event(
    catalog: Catalog,
    session: Session,
    event_type: str,
    listing: BrandListing,
    brand: Brand | None,
    **extra,
) -> None:
    """Every listing event: who, what and where the listing is now, plus `extra`."""
    product = session.get(Product, listing.product_id)
    data = {
        "listing_id": listing.id,
        "brand_code": listing.brand_code,
        "brand_name": brand.name if brand else None,
        "product_id": listing.product_id,
        "product_name": product.name if product else None,
        "enterprise_id": listing.enterprise_id or (product.enterprise_id if product else None),
        "status": listing.status,
        **extra,
    }
    catalog.outbox.record(session, event_type, data, aggregate_id=listing.id)
