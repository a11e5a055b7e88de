"""One-time e-mail links: invitations, password resets and unlocks.

A link carries only a row id signed with the web secret (itsdangerous); the row says what
it is for, until when, and whether it was used. Redeeming marks it used in the caller's
transaction, so a link works once. The e-mail itself is notify's job: we record an event
in the outbox, in the same transaction as the row.
"""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature
from sqlalchemy.orm import Session

from gachi_kit.events import utcnow
from web.identity.models import OneTimeLink
from web.identity.services.errors import Refused
from web.wiring import Web

PATHS = {"invite": "/invitations/", "reset": "/password/reset/", "unlock": "/account/unlock/"}


def send(
    w: Web,
    session: Session,
    *,
    purpose: str,
    email: str,
    ttl: timedelta,
    event: str,
    person_id: str | None = None,
    created_by: str | None = None,
    data: dict | None = None,
    **message,
) -> OneTimeLink:
    link = OneTimeLink(
        purpose=purpose,
        email=email,
        person_id=person_id,
        created_by=created_by,
        data=data or {},
        expires_at=utcnow() + ttl,
    )
    session.add(link)
    session.flush()
    token = w.links.dumps({"id": link.id, "purpose": purpose})
    w.outbox.record(
        session,
        event,
        {
            "email": email,
            "url": f"{w.settings.public_url}{PATHS[purpose]}{token}",
            "expires_at": link.expires_at.isoformat(),
            **data_for_message(data),
            **message,
        },
        aggregate_id=link.id,
    )
    return link


def data_for_message(data: dict | None) -> dict:
    return {k: v for k, v in (data or {}).items() if k in ("org_name", "role_label", "inviter")}


def find(w: Web, session: Session, token: str, purpose: str, *, lock: bool = False):
    """The unused, unexpired link a token stands for; Refused says why not."""
    try:
        payload = w.links.loads(token)
    except BadSignature as exc:
        raise _invalid() from exc
    if not isinstance(payload, dict) or payload.get("purpose") != purpose:
        raise _invalid()
    link = session.get(OneTimeLink, payload.get("id"), with_for_update=lock)
    if link is None or link.purpose != purpose:
        raise _invalid()
    if link.used_at is not None:
        raise Refused("link_used", "이미 사용한 링크입니다. 새 링크를 요청해 주세요.")
    if link.expires_at <= utcnow():
        raise Refused("link_expired", "링크의 유효 시간이 지났습니다. 새 링크를 요청해 주세요.")
    return link


def redeem(w: Web, session: Session, token: str, purpose: str) -> OneTimeLink:
    link = find(w, session, token, purpose, lock=True)
    link.used_at = utcnow()
    return link


def _invalid() -> Refused:
    return Refused("link_invalid", "링크가 올바르지 않습니다. 메일의 링크를 그대로 열어 주세요.")
