"""Use cases: the committee starts a review, votes, decides, suspends and reinstates. Each
runs in `access.act`'s transaction under the listing's version lock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import BrandListing, ListingVote
from catalog.domain import listing as rules
from catalog.services.listings.access import act, vote_of
from catalog.services.listings.transitions import audit, conclude_review, move, move_rereview
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.errors import Problem, invalid
from gachi_kit.events import utcnow


def start_review(catalog: Catalog, listing_id: str, actor: Principal) -> BrandListing:
    def change(session, listing, brand, member):
        if listing.status == "approved":
            move_rereview(catalog, session, listing, brand, actor, "start_review")
        else:
            move(catalog, session, listing, brand, actor, "start_review")
        listing.review_started_at = utcnow()

    return act(catalog, listing_id, actor, change, who="committee")


def cast_vote(catalog: Catalog, listing_id: str, fields: dict, actor: Principal) -> dict:
    """{"vote": the vote, "listing": the listing after it (perhaps decided by it)}."""
    cast: dict = {}

    def change(session, listing, brand, member):
        if member is None:  # admins do not vote
            raise Problem(403, "not_committee_member", "위원만 투표할 수 있습니다")
        if rules.review_stage(listing.status, listing.rereview_status) != "in_review":
            raise rules.TransitionRefused(listing.status, "vote")
        scores = fields.get("scores") or {}
        criteria = [criterion["code"] for criterion in brand.criteria or []]
        errors = (
            rules.score_errors(scores, criteria) if fields["choice"] != "abstain" or scores else {}
        )
        if errors:
            raise invalid("scores", errors, code="invalid_scores")
        if vote_of(session, listing, actor.sub) is not None:
            raise _already_voted()
        vote = ListingVote(
            listing_id=listing.id,
            round=listing.review_round,
            member_sub=actor.sub,
            member_name=member.name,
            choice=fields["choice"],
            scores=scores,
            comment=fields.get("comment", ""),
        )
        session.add(vote)
        session.flush()
        audit(session, listing, actor, "vote", listing.status, None, vote.comment, vote.id)
        cast["vote"] = vote
        listing.updated_at = utcnow()  # bump the version: concurrent votes conflict
        _decide_if_due(catalog, session, listing, brand, actor)

    try:
        listing = act(catalog, listing_id, actor, change, who="committee")
    except IntegrityError as exc:  # the same member's second vote raced the first
        raise _already_voted() from exc
    return {"vote": cast["vote"], "listing": listing}


def _decide_if_due(catalog, session, listing: BrandListing, brand, actor: Principal) -> None:
    """The brand's quorum reached with a majority decides the round."""
    votes = session.execute(
        select(ListingVote.choice, ListingVote.comment)
        .where(ListingVote.listing_id == listing.id, ListingVote.round == listing.review_round)
        .order_by(ListingVote.cast_at, ListingVote.id)
    ).all()
    outcome = rules.tally([choice for choice, _comment in votes], brand.quorum)
    if outcome == "approve":
        conclude_review(catalog, session, listing, brand, actor, "approve", "위원회 표결로 승인")
    elif outcome == "reject":
        comments = [comment for choice, comment in votes if choice == "reject" and comment]
        reason = "\n".join(comments) or "위원회 표결로 반려"
        conclude_review(catalog, session, listing, brand, actor, "reject", reason)


def decide(catalog: Catalog, listing_id: str, fields: dict, actor: Principal) -> BrandListing:
    """The chair decides the review in progress explicitly."""

    def change(session, listing, brand, member):
        if member is None or not member.is_chair:
            raise Problem(403, "not_chair", "위원장만 결정할 수 있습니다")
        if rules.review_stage(listing.status, listing.rereview_status) != "in_review":
            raise rules.TransitionRefused(listing.status, "decide")
        action = "approve" if fields["outcome"] == "approved" else "reject"
        conclude_review(catalog, session, listing, brand, actor, action, fields["reason"])

    return act(catalog, listing_id, actor, change, who="committee")


def suspend(catalog: Catalog, listing_id: str, reason: str, actor: Principal) -> BrandListing:
    def change(session, listing, brand, member):
        move(catalog, session, listing, brand, actor, "suspend", reason)

    return act(catalog, listing_id, actor, change, who="committee")


def reinstate(catalog: Catalog, listing_id: str, reason: str, actor: Principal) -> BrandListing:
    def change(session, listing, brand, member):
        if listing.valid_until is not None and listing.valid_until < today_kst():
            raise Problem(
                409,
                "listing_term_over",
                "유효기간이 끝난 등록은 복원할 수 없습니다",
                current_state=listing.status,
            )
        move(catalog, session, listing, brand, actor, "reinstate", reason)

    return act(catalog, listing_id, actor, change, who="committee")


def _already_voted() -> Problem:
    return Problem(409, "already_voted", "이미 투표했습니다")
