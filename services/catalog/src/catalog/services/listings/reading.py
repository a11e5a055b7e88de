"""Use cases that read listings: one listing, lists, votes, the audit trail (and its CSV),
the committee's work queue and a brand's statistics. Read-only sessions."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from catalog.adapters.models import BrandListing, ListingEvent, ListingVote
from catalog.domain import listing as rules
from catalog.services.listings.access import (
    committee_member,
    conflicted,
    find_brand,
    visible,
    vote_of,
)
from catalog.services.rows import RowWith
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, not_found
from gachi_kit.events import utcnow


def get_listing(catalog: Catalog, listing_id: str, actor: Principal) -> BrandListing:
    """What everyone who may see the listing sees (individual votes are never in it)."""
    with catalog.db.reading() as session:
        listing, _brand, _member = visible(session, listing_id, actor)
    return listing


def list_listings(catalog: Catalog, query: dict, actor: Principal) -> dict:
    with catalog.db.reading() as session:
        stmt = select(BrandListing).order_by(BrandListing.created_at, BrandListing.id)
        if actor.is_("enterprise"):
            stmt = stmt.where(BrandListing.enterprise_id == (actor.org or ""))
        elif actor.is_("committee"):
            committee_member(session, actor.org or "", actor)
            stmt = stmt.where(BrandListing.brand_code == actor.org)
        if query.get("brand_code"):
            stmt = stmt.where(BrandListing.brand_code == query["brand_code"])
        if query.get("status"):
            stmt = stmt.where(BrandListing.status == query["status"])
        rows = session.scalars(stmt.limit(query.get("limit", 100))).all()
    return {"items": rows}


def list_votes(catalog: Catalog, listing_id: str, round_: int | None, actor: Principal) -> dict:
    """The votes of one review round (default: the current one). A member sees the votes of
    a round still under review only after casting their own."""
    with catalog.db.reading() as session:
        listing, _brand, member = visible(
            session, listing_id, actor, who="committee", unconflicted=True
        )
        round_ = round_ or listing.review_round
        member_on_current_round = member is not None and round_ == listing.review_round
        if member_on_current_round and _votes_sealed(session, listing, actor):
            raise Problem(
                403,
                "vote_first",
                "투표한 뒤에 볼 수 있습니다",
                "다른 위원의 표는 직접 투표한 뒤에 공개됩니다.",
            )
        votes = session.scalars(
            select(ListingVote)
            .where(ListingVote.listing_id == listing.id, ListingVote.round == round_)
            .order_by(ListingVote.cast_at, ListingVote.id)
        ).all()
    return {"round": round_, "items": votes}


def audit_trail(catalog: Catalog, listing_id: str, actor: Principal) -> list[ListingEvent]:
    """Every event; a member who has not voted yet in the round under review does not see
    that round's votes (their comments are the audit reasons), as with `list_votes`."""
    with catalog.db.reading() as session:
        listing, _brand, member = visible(
            session, listing_id, actor, who="committee", unconflicted=True
        )
        stmt = (
            select(ListingEvent)
            .where(ListingEvent.listing_id == listing.id)
            .order_by(ListingEvent.at, ListingEvent.id)
        )
        if member is not None and _votes_sealed(session, listing, actor):
            this_round = select(ListingVote.id).where(
                ListingVote.listing_id == listing.id, ListingVote.round == listing.review_round
            )
            stmt = stmt.where(
                ListingEvent.vote_id.is_(None) | ListingEvent.vote_id.not_in(this_round)
            )
        return session.scalars(stmt).all()


def _votes_sealed(session, listing: BrandListing, actor: Principal) -> bool:
    """The current round is still under review and `actor` has not voted in it."""
    undecided = rules.review_stage(listing.status, listing.rereview_status)
    return bool(undecided) and vote_of(session, listing, actor.sub) is None


AUDIT_COLUMNS = ("at", "actor_sub", "actor_role", "action", "from_status", "to_status", "reason")


def audit_csv(rows: list[ListingEvent]) -> bytes:
    """The audit trail as Excel opens it: UTF-8 with BOM, CRLF lines."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*AUDIT_COLUMNS, "vote_id"])
    for row in rows:
        cells = [getattr(row, column) for column in (*AUDIT_COLUMNS, "vote_id")]
        writer.writerow(["" if cell is None else _csv_safe(str(cell)) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_safe(cell: str) -> str:
    """Keep spreadsheet formulas out of an export (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def work_queue(catalog: Catalog, actor: Principal) -> dict:
    """Reviews of the caller's brand waiting for the caller (applications and re-reviews the
    caller has not voted in yet, without conflicts of interest), oldest first."""
    now = utcnow()
    with catalog.db.reading() as session:
        member = committee_member(session, actor.org or "", actor)
        voted = (
            select(ListingVote.id)
            .where(
                ListingVote.listing_id == BrandListing.id,
                ListingVote.round == BrandListing.review_round,
                ListingVote.member_sub == actor.sub,
            )
            .exists()
        )
        waiting = BrandListing.status.in_(rules.PENDING) | (
            (BrandListing.status == "approved") & BrandListing.rereview_status.is_not(None)
        )
        rows = session.scalars(
            select(BrandListing).where(
                BrandListing.brand_code == member.brand_code, waiting, ~voted
            )
        ).all()
    items = []
    for listing in rows:
        if conflicted(member, listing):
            continue
        since = _waiting_since(listing)
        waited = rules.waited_hours((now - since).total_seconds())
        items.append(RowWith(listing, waiting_since=since, waited_hours=waited))
    items.sort(key=lambda item: (item.waiting_since, item.id))
    return {"items": items}


def _waiting_since(listing: BrandListing):
    if listing.status == "approved":
        return listing.rereview_opened_at
    return listing.submitted_at or listing.created_at


def brand_statistics(catalog: Catalog, code: str, actor: Principal) -> dict:
    with catalog.db.reading() as session:
        find_brand(session, code)
        if actor.is_("committee"):
            if actor.org != code:
                raise not_found("brand", "브랜드")
            committee_member(session, code, actor)
        decided = session.execute(
            select(ListingEvent.to_status, ListingEvent.at, BrandListing.submitted_at)
            .join(BrandListing, BrandListing.id == ListingEvent.listing_id)
            .where(
                BrandListing.brand_code == code,
                ListingEvent.action.in_(("approve", "reject")),
            )
        ).all()
        renewed = session.scalar(
            select(func.count())
            .select_from(ListingEvent)
            .join(BrandListing, BrandListing.id == ListingEvent.listing_id)
            .where(BrandListing.brand_code == code, ListingEvent.action == "renew")
        )
        by_status = dict(
            session.execute(
                select(BrandListing.status, func.count())
                .where(BrandListing.brand_code == code)
                .group_by(BrandListing.status)
            ).all()
        )
    hours = [(at - sub).total_seconds() / 3600 for _to, at, sub in decided if sub is not None]
    return {
        "brand_code": code,
        "approved": sum(1 for to, _at, _sub in decided if to == "approved"),
        "rejected": sum(1 for to, _at, _sub in decided if to == "rejected"),
        "renewed": renewed,
        "average_decision_hours": round(sum(hours) / len(hours), 1) if hours else None,
        "by_status": by_status,
    }
