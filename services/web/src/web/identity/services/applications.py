"""Use cases: an enterprise applies to join (public form), an admin approves it (the
enterprise becomes an organisation, its contact is invited as its operator) or declines it
with a reason (the contact is told by e-mail)."""

from __future__ import annotations

from sqlalchemy import select

from gachi_kit.brn import InvalidBRN, normalize_brn
from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.domain.accounts import normalise_email
from web.identity.domain.invitations import Invitation
from web.identity.models import EnterpriseApplication, Organisation
from web.identity.services import invitations
from web.identity.services.errors import Refused
from web.wiring import Web


def apply(
    w: Web,
    *,
    brn: str,
    enterprise_name: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str | None,
    message: str | None,
    address: str,
) -> EnterpriseApplication:
    try:
        digits = normalize_brn(brn)  # the same rule catalog registers enterprises with
    except InvalidBRN as exc:
        raise Refused("brn_invalid", str(exc), field="brn") from exc
    with w.db.transaction() as session:
        if session.scalar(select(Organisation.id).where(Organisation.brn == digits)):
            raise Refused("brn_taken", "이미 가입한 사업자등록번호입니다.", field="brn")
        pending = session.scalar(
            select(EnterpriseApplication.id).where(
                EnterpriseApplication.brn == digits, EnterpriseApplication.status == "pending"
            )
        )
        if pending:
            raise Refused(
                "application_pending", "이 사업자등록번호로 심사 중인 신청이 있습니다.", field="brn"
            )
        application = EnterpriseApplication(
            brn=digits,
            enterprise_name=enterprise_name.strip(),
            contact_name=contact_name.strip(),
            contact_email=normalise_email(contact_email),
            contact_phone=(contact_phone or "").strip() or None,
            message=(message or "").strip() or None,
        )
        session.add(application)
        session.flush()
        audit.record(
            session,
            "enterprise_applied",
            email=application.contact_email,
            address=address,
            application_id=application.id,
            brn=digits,
        )
        return application


def pending(w: Web) -> list[EnterpriseApplication]:
    with w.db.reading() as session:
        return list(
            session.scalars(
                select(EnterpriseApplication)
                .where(EnterpriseApplication.status == "pending")
                .order_by(EnterpriseApplication.created_at)
            )
        )


def approve(w: Web, *, actor_id: str, application_id: str, enterprise_id: str) -> None:
    """`enterprise_id` is the enterprise's id in catalog (registered there by the admin),
    so that the operator's tokens name it."""
    with w.db.transaction() as session:
        application = _pending(session, application_id)
        if session.get(Organisation, enterprise_id) is not None:
            raise Refused(
                "organisation_exists", "이미 등록된 기업 ID입니다.", field="enterprise_id"
            )
        session.add(
            Organisation(
                id=enterprise_id,
                kind="enterprise",
                name=application.enterprise_name,
                brn=application.brn,
            )
        )
        _decide(session, application, "approved", actor_id, enterprise_id=enterprise_id)
        session.flush()
        invitations.send(
            w,
            session,
            actor_id,
            application.contact_email,
            application.contact_name,
            Invitation("enterprise", enterprise_id),
        )


def decline(w: Web, *, actor_id: str, application_id: str, reason: str) -> None:
    with w.db.transaction() as session:
        application = _pending(session, application_id)
        _decide(session, application, "declined", actor_id, reason=reason)
        w.outbox.record(
            session,
            "identity.enterprise_declined",
            {
                "email": application.contact_email,
                "contact_name": application.contact_name,
                "enterprise_name": application.enterprise_name,
                "reason": reason,
            },
            aggregate_id=application.id,
        )


def _decide(session, application, status: str, actor_id: str, **detail) -> None:
    application.status = status
    application.decided_by = actor_id
    application.decided_at = utcnow()
    audit.record(
        session,
        f"enterprise_{status}",
        actor_id=actor_id,
        email=application.contact_email,
        application_id=application.id,
        **detail,
    )


def _pending(session, application_id: str) -> EnterpriseApplication:
    application = session.get(EnterpriseApplication, application_id, with_for_update=True)
    if application is None or application.status != "pending":
        raise Refused("application_not_pending", "심사할 신청을 찾을 수 없습니다.")
    return application
