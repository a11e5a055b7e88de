"""Use cases: admins manage each brand's committee (members, the chair, conflicts of
interest); a member declares their own conflict with a listing's enterprise. Each owns its
transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import BrandCommitteeMember
from catalog.services.listings.access import conflicted, find_brand, find_member, visible
from catalog.services.listings.transitions import audit
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, not_found


def list_members(catalog: Catalog, code: str) -> dict:
    with catalog.db.reading() as session:
        find_brand(session, code)
        rows = session.scalars(
            select(BrandCommitteeMember)
            .where(BrandCommitteeMember.brand_code == code)
            .order_by(BrandCommitteeMember.user_sub)
        ).all()
    return {"items": rows}


def add_member(catalog: Catalog, code: str, fields: dict) -> BrandCommitteeMember:
    try:
        with catalog.db.transaction() as session:
            find_brand(session, code)
            if find_member(session, code, fields["user_sub"]) is not None:
                raise _member_exists()
            member = BrandCommitteeMember(brand_code=code, **fields)
            session.add(member)
    except IntegrityError as exc:
        raise _member_exists() from exc
    return member


def update_member(catalog: Catalog, code: str, sub: str, fields: dict) -> BrandCommitteeMember:
    with catalog.db.transaction() as session:
        member = find_member(session, code, sub)
        if member is None:
            raise _member_not_found()
        for field, value in fields.items():
            setattr(member, field, value)
    return member


def remove_member(catalog: Catalog, code: str, sub: str) -> None:
    with catalog.db.transaction() as session:
        member = find_member(session, code, sub)
        if member is None:
            raise _member_not_found()
        session.delete(member)


def declare_conflict(
    catalog: Catalog, listing_id: str, reason: str, actor: Principal
) -> BrandCommitteeMember:
    """The calling member is tied to the listing's enterprise: from now on the access
    checks refuse them its documents, votes and decisions (for every listing of that
    enterprise). Once: a second declaration changes nothing and writes no audit row."""
    with catalog.db.transaction() as session:
        listing, _brand, member = visible(session, listing_id, actor, who="committee")
        if member is None:
            raise Problem(403, "not_committee_member", "위원만 이해충돌을 신고할 수 있습니다")
        if listing.enterprise_id is None:
            raise Problem(
                409,
                "no_enterprise",
                "신청 기업이 없는 등록입니다",
                "기업이 없는 등록에는 이해충돌을 신고할 수 없습니다.",
            )
        if not conflicted(member, listing):
            ties = member.conflicted_enterprise_ids or []
            member.conflicted_enterprise_ids = [*ties, listing.enterprise_id]
            audit(session, listing, actor, "declare_conflict", listing.status, None, reason)
    return member


def _member_exists() -> Problem:
    return Problem(409, "member_exists", "이미 등록된 위원입니다")


def _member_not_found() -> Problem:
    return not_found("member", "위원")
