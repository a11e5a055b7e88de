"""Use cases: who holds which role in one's organisation, and removing a role. A removed
membership gets no new token; the ones it has expire within their 15 minutes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.domain.invitations import Invitation, Inviter, refusal
from web.identity.models import Membership, Person
from web.identity.services.errors import Refused
from web.wiring import Web


def in_scope(w: Web, manager: Inviter) -> list[Membership]:
    """The memberships a manager may remove: an admin all, an institution admin its
    buyers, a chair its committee's members."""
    with w.db.reading() as session:
        query = (
            select(Membership)
            .where(Membership.removed_at.is_(None))
            .options(selectinload(Membership.person), selectinload(Membership.org))
            .order_by(Membership.org_id, Membership.role, Membership.created_at)
        )
        if manager.role != "admin":
            query = query.where(Membership.org_id == manager.org_id)
        return [m for m in session.scalars(query) if _may_manage(manager, m)]


def remove(w: Web, *, actor_id: str, manager: Inviter, membership_id: str, address: str) -> None:
    with w.db.transaction() as session:
        membership = session.get(Membership, membership_id, with_for_update=True)
        if membership is None or membership.removed_at is not None:
            raise Refused("membership_not_found", "역할을 찾을 수 없습니다.")
        if not _may_manage(manager, membership) or membership.person_id == actor_id:
            raise Refused("membership_not_yours", "이 역할은 지울 수 없습니다.")
        membership.removed_at = utcnow()
        audit.record(
            session,
            "membership_removed",
            person_id=membership.person_id,
            actor_id=actor_id,
            address=address,
            membership_id=membership.id,
            role=membership.role,
            org_id=membership.org_id,
        )


def _may_manage(manager: Inviter, m: Membership) -> bool:
    """Whoever may give a role may take it back (domain/invitations.py)."""
    return refusal(manager, Invitation(m.role, m.org_id, m.dept or "-", m.chair)) is None


def disable_person(w: Web, *, actor_id: str, person_id: str, address: str) -> None:
    """A platform admin stops an account: no sign-in, and its sessions end at their next
    request; its tokens expire within 15 minutes."""
    if person_id == actor_id:
        raise Refused("cannot_disable_self", "자기 계정은 중지할 수 없습니다.")
    with w.db.transaction() as session:
        person = session.get(Person, person_id, with_for_update=True)
        if person is None:
            raise Refused("person_not_found", "계정을 찾을 수 없습니다.")
        person.status = "disabled"
        audit.record(
            session, "account_disabled", person_id=person.id, actor_id=actor_id, address=address
        )
