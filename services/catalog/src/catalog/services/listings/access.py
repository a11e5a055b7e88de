"""Who may see or act on a listing, the rows every listing use case looks up, and the
problems they answer with. Runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.adapters.models import Brand, BrandCommitteeMember, BrandListing, ListingVote
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, not_found

# change(session, listing, brand, member or None): what one use case does to the listing.
Change = Callable[[Session, BrandListing, Brand, BrandCommitteeMember | None], None]


def act(catalog: Catalog, listing_id: str, actor: Principal, change: Change, *, who: str):
    """Load the listing the caller may act on, apply `change`, commit under the version lock
    (a concurrent change of the same listing: StaleDataError, mapped to 409 by the kit).
    Returns the listing as committed."""
    with catalog.db.transaction() as session:
        # A member tied to the enterprise may see it, never act on it.
        listing, brand, member = visible(
            session, listing_id, actor, who=who, unconflicted=who == "committee"
        )
        change(session, listing, brand, member)
        session.flush()
    return listing


def visible(
    session: Session,
    listing_id: str,
    actor: Principal,
    *,
    who: str = "any",
    unconflicted: bool = False,
):
    """(listing, brand, member or None) if `actor` may see it as `who`; else 404/403.

    owner: the listing's own enterprise; committee: admins and members of its brand;
    any: both. Someone else's listing is 404, as if it did not exist. `unconflicted`: a
    member tied to the listing's enterprise is refused (403 conflict_of_interest).
    """
    listing = session.get(BrandListing, listing_id)
    if listing is None:
        raise listing_not_found()
    brand = session.get(Brand, listing.brand_code)
    member = None
    if actor.is_("enterprise"):
        if (
            who == "committee"
            or listing.enterprise_id is None
            or listing.enterprise_id != actor.org
        ):
            raise listing_not_found()
    elif actor.is_("committee"):
        if who == "owner" or actor.org != listing.brand_code:
            raise listing_not_found()
        member = committee_member(session, listing.brand_code, actor)
        if unconflicted and conflicted(member, listing):
            raise conflict_of_interest()
    elif actor.is_("admin"):
        if who == "owner":
            raise Problem(403, "forbidden_role", "권한이 없습니다", "신청 기업만 할 수 있습니다.")
    else:
        raise Problem(403, "forbidden_role", "권한이 없습니다")
    return listing, brand, member


def committee_member(session: Session, code: str, actor: Principal) -> BrandCommitteeMember:
    """The caller's membership of the brand's committee; 403 if they have none."""
    member = find_member(session, code, actor.sub)
    if member is None:
        raise Problem(
            403,
            "not_committee_member",
            "위원회 위원이 아닙니다",
            "이 브랜드 위원회에 등록된 위원만 할 수 있습니다.",
        )
    return member


def conflicted(member: BrandCommitteeMember, listing: BrandListing) -> bool:
    return listing.enterprise_id in (member.conflicted_enterprise_ids or [])


def find_member(session: Session, code: str, sub: str) -> BrandCommitteeMember | None:
    return session.scalar(
        select(BrandCommitteeMember).where(
            BrandCommitteeMember.brand_code == code, BrandCommitteeMember.user_sub == sub
        )
    )


def find_brand(session: Session, code: str) -> Brand:
    brand = session.get(Brand, code)
    if brand is None:
        raise not_found("brand", "브랜드")
    return brand


def vote_of(session: Session, listing: BrandListing, sub: str) -> ListingVote | None:
    """The member's vote in the listing's current review round."""
    return session.scalar(
        select(ListingVote).where(
            ListingVote.listing_id == listing.id,
            ListingVote.round == listing.review_round,
            ListingVote.member_sub == sub,
        )
    )


# -- problems ----------------------------------------------------------------------------------


def conflict_of_interest() -> Problem:
    return Problem(
        403,
        "conflict_of_interest",
        "이해충돌로 참여할 수 없습니다",
        "이 기업과 관련된 위원은 이 신청을 심사할 수 없습니다.",
    )


def listing_not_found() -> Problem:
    return not_found("listing", "브랜드 등록 신청")


def listing_exists(existing: BrandListing | None = None) -> Problem:
    if existing is None:  # a concurrent request created it first
        return Problem(409, "listing_exists", "이미 신청한 상품입니다")
    return Problem(
        409,
        "listing_exists",
        "이미 신청한 상품입니다",
        listing_id=existing.id,
        current_state=existing.status,
    )
