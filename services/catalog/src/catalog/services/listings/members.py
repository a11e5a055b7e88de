"""Use cases: admins manage each brand's committee (members, the chair, conflicts of
interest). Each owns its transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import BrandCommitteeMember
from catalog.services.listings.access import find_brand, find_member
from catalog.wiring import Catalog
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


def _member_exists() -> Problem:
    return Problem(409, "member_exists", "이미 등록된 위원입니다")


def _member_not_found() -> Problem:
    return not_found("member", "위원")
