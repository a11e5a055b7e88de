"""The two state machines of a listing, driven inside the caller's transaction: its status
(domain/listing.py's `next_state`) and, beside an approved status, its re-review
(`next_rereview_state`). Every move writes its audit row and its event (services/published).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.adapters.models import Brand, BrandListing, ListingEvent, Product
from catalog.domain import listing as rules
from catalog.domain.brand import add_months
from catalog.services import published
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.events import utcnow

# The actor of what the daily scans do.
SYSTEM = Principal(sub="system", role="service")

# The actions that set the listing's status reason.
REASONED = ("suspend", "withdraw", "reinstate", "expire", "reapply")

# A re-review's audit actions, and the audit action of each decision's outcome.
REREVIEW_AUDIT = {"open": "open_review", "start_review": "start_review", "close": "close_review"}
REREVIEW_OUTCOME_AUDIT = {
    "extend": "renew",
    "keep": "approve_change",
    "lapse": "refuse_renewal",
    "suspend": "refuse_change",
}
REREVIEW_LABELS = {"renewal": "갱신 심사", "change": "변경 심사"}


def move(
    catalog: Catalog,
    session: Session,
    listing: BrandListing,
    brand: Brand,
    actor: Principal,
    action: str,
    reason: str | None = None,
) -> None:
    """Move the listing through the state machine: audit row and outbox event included."""
    target = rules.next_state(listing.status, action)
    source = listing.status
    if source == "approved" and target != "approved":
        close_rereview(catalog, session, listing, brand, actor, reason)
    listing.status = target
    listing.updated_at = utcnow()
    if action in REASONED:
        listing.status_reason = reason
    audit(session, listing, actor, action, source, target, reason)
    published.listing_moved(catalog, session, listing, brand, action, actor, reason)


def move_rereview(
    catalog: Catalog,
    session: Session,
    listing: BrandListing,
    brand: Brand,
    actor: Principal,
    action: str,
    reason: str | None = None,
    *,
    kind: str | None = None,
) -> None:
    """Move an approved listing's re-review (the listing's status stays `approved`)."""
    try:
        target = rules.next_rereview_state(listing.rereview_status, action)
    except rules.TransitionRefused as exc:  # refused where the listing stands: approved
        raise rules.TransitionRefused(listing.status, action) from exc
    kind = kind or listing.rereview_kind
    listing.rereview_status = target
    listing.updated_at = utcnow()
    if action == "open":
        listing.rereview_kind = kind
        listing.rereview_opened_at = utcnow()
        start_round(listing)
    elif target is None:
        listing.rereview_kind = None
        listing.rereview_opened_at = None
        listing.rereview_changes = []
    audit_action = REREVIEW_AUDIT.get(action)
    if audit_action:
        label = f"[{REREVIEW_LABELS[kind]}] {reason or ''}".strip()
        audit(session, listing, actor, audit_action, "approved", "approved", label)
    if action == "start_review":
        published.rereview_started(catalog, session, listing, brand)


def close_rereview(catalog, session, listing, brand, actor, reason) -> None:
    """Leaving `approved` (or an offline decision) ends an open re-review."""
    if listing.rereview_status is not None:
        move_rereview(catalog, session, listing, brand, actor, "close", reason)


def start_round(listing: BrandListing) -> None:
    """A new review: votes of earlier rounds stay in the history but no longer count."""
    listing.review_round = (listing.review_round or 0) + 1


def conclude_review(catalog, session, listing, brand, actor, action: str, reason: str) -> None:
    """The committee's decision on the open review (`action`: approve | reject)."""
    listing.decided_at = utcnow()
    listing.decision_reason = reason
    if listing.status == "approved":  # a re-review
        _decide_rereview(catalog, session, listing, brand, actor, action, reason)
        return
    if action == "approve":
        product = session.get(Product, listing.product_id)
        listing.approved_at = utcnow()
        listing.valid_until = add_months(today_kst(), brand.listing_validity_months)
        listing.reviewed_unit_price = product.unit_price
    move(catalog, session, listing, brand, actor, action, reason)


def _decide_rereview(catalog, session, listing, brand, actor, action, reason) -> None:
    kind, changes = listing.rereview_kind, list(listing.rereview_changes or [])
    outcome = rules.rereview_outcome(kind, action, bool(changes))
    move_rereview(catalog, session, listing, brand, actor, action)
    audit(session, listing, actor, REREVIEW_OUTCOME_AUDIT[outcome], "approved", "approved", reason)
    if outcome == "suspend":  # the suspension's own event says it
        move(catalog, session, listing, brand, actor, "suspend", f"변경 심사 반려: {reason}")
        return
    if outcome in ("extend", "keep"):
        listing.reviewed_unit_price = session.get(Product, listing.product_id).unit_price
    if outcome == "extend":
        listing.valid_until = add_months(listing.valid_until, brand.listing_validity_months)
        listing.expiring_notified_at = None
    published.rereview_decided(
        catalog, session, listing, brand, outcome, kind, changes, reason, actor
    )


def audit(session, listing, actor, action, source, target, reason, vote_id=None) -> None:
    """One row of the listing's audit trail (`GET /v1/listings/{id}/audit`)."""
    session.add(
        ListingEvent(
            listing_id=listing.id,
            actor_sub=actor.sub,
            actor_role=actor.role,
            action=action,
            from_status=source,
            to_status=target,
            reason=reason,
            vote_id=vote_id,
        )
    )
