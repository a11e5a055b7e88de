"""Use cases: invite someone to a role, and accept an invitation (which sets the password
of a new account, or adds the membership to an existing one)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.domain.accounts import normalise_email, password_problem
from web.identity.domain.invitations import Invitation, Inviter, refusal
from web.identity.domain.roles import ORG_KIND_OF_ROLE, role_label
from web.identity.models import Membership, OneTimeLink, Organisation, Person
from web.identity.services import links
from web.identity.services.errors import Refused
from web.wiring import Web


def invite(
    w: Web,
    *,
    actor_id: str,
    inviter: Inviter,
    email: str,
    name: str,
    invitation: Invitation,
    org_name: str | None = None,
) -> OneTimeLink:
    reason = refusal(inviter, invitation)
    if reason:
        raise Refused("invitation_not_allowed", reason, field="role")
    with w.db.transaction() as session:
        return send(w, session, actor_id, email, name, invitation, org_name)


def send(
    w: Web,
    session,
    actor_id: str,
    email: str,
    name: str,
    invitation: Invitation,
    org_name: str | None = None,
) -> OneTimeLink:
    """The invitation link and its e-mail event, in the caller's transaction (the caller
    has checked that the inviter may give this role)."""
    email = normalise_email(email)
    org = _organisation(session, invitation, org_name)
    inviter_name = session.get(Person, actor_id).name
    link = links.send(
        w,
        session,
        purpose="invite",
        email=email,
        ttl=timedelta(days=w.settings.invitation_days),
        event="identity.invitation_sent",
        created_by=actor_id,
        data={
            "role": invitation.role,
            "org_id": invitation.org_id,
            "dept": invitation.dept,
            "chair": invitation.chair,
            "org_name": org.name if org else "같이 플랫폼",
            "role_label": role_label(invitation.role, chair=invitation.chair),
            "inviter": inviter_name,
            "name": name,
        },
        name=name,
    )
    audit.record(
        session,
        "invitation_sent",
        actor_id=actor_id,
        email=email,
        role=invitation.role,
        org_id=invitation.org_id,
        dept=invitation.dept,
        chair=invitation.chair,
    )
    return link


def _organisation(session, invitation: Invitation, org_name: str | None) -> Organisation | None:
    """The organisation of the role; an admin names a new one (its id as the owning
    service knows it) when inviting its first person."""
    if invitation.org_id is None:
        return None
    org = session.get(Organisation, invitation.org_id)
    kind = ORG_KIND_OF_ROLE[invitation.role]
    if org is None:
        if not org_name:
            raise Refused(
                "organisation_unknown",
                "처음 보는 기관입니다. 이름을 함께 입력해 주세요.",
                field="org_name",
            )
        org = Organisation(id=invitation.org_id, kind=kind, name=org_name.strip())
        session.add(org)
    elif org.kind != kind:
        raise Refused("organisation_kind", "이 역할에 맞지 않는 기관입니다.", field="org_id")
    return org


def preview(w: Web, token: str) -> tuple[OneTimeLink, bool]:
    """The invitation a link stands for, and whether its e-mail already has an account."""
    with w.db.reading() as session:
        link = links.find(w, session, token, "invite")
        exists = session.scalar(select(Person.id).where(Person.email == link.email)) is not None
        return link, exists


def accept(w: Web, token: str, *, name: str | None, password: str | None, address: str) -> str:
    """Redeem the invitation; returns the person id (the caller signs them in)."""
    with w.db.transaction() as session:
        link = links.redeem(w, session, token, "invite")
        person = session.scalar(select(Person).where(Person.email == link.email))
        if person is None:
            problem = password_problem(password or "", email=link.email, name=name or "")
            if problem:
                raise Refused("password_weak", problem, field="password")
            person = Person(
                email=link.email,
                name=(name or link.data.get("name") or "").strip() or link.email,
                password_hash=w.passwords.hash(password),
                status="active",
            )
            session.add(person)
            session.flush()
        elif person.status == "disabled":
            raise Refused("account_disabled", "사용이 중지된 계정입니다. 관리자에게 문의해 주세요.")
        data = link.data
        membership = Membership(
            person_id=person.id,
            role=data["role"],
            org_id=data.get("org_id"),
            dept=data.get("dept"),
            chair=bool(data.get("chair")),
        )
        session.add(membership)
        session.flush()
        audit.record(
            session, "invitation_accepted", person_id=person.id, email=person.email, address=address
        )
        audit.record(
            session,
            "membership_added",
            person_id=person.id,
            actor_id=link.created_by,
            membership_id=membership.id,
            role=membership.role,
            org_id=membership.org_id,
            dept=membership.dept,
            chair=membership.chair,
        )
        person.last_sign_in_at = utcnow()
        return person.id
