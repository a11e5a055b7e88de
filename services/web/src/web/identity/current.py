"""Who is signed in, what they act as, and the tokens the portal calls the APIs with.

The portal imports only this module: `current_person()`, `current_membership()`,
`person_memberships()`, `signin_required(*roles)`, `access_token()`, `service_token(aud)`.
Everything is read once per request from the server-side session and web's database, so a
disabled person, a removed membership or a session ended elsewhere takes effect on the
next request.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gachi_kit.events import as_utc, utcnow
from web.identity.domain.roles import membership_label, needs_second_factor
from web.identity.models import Membership, Person
from web.identity.services import tokens
from web.wiring import web

# Keys of the server-side session.
PERSON = "person_id"
MEMBERSHIP = "membership_id"
SIGNED_IN_AT = "signed_in_at"  # epoch seconds: absolute lifetime, "sessions valid after"
TOKEN = "access_token"  # {"token", "exp", "mid"}
# An access token is renewed when less than this is left of it.
RENEW_SECONDS = 60


@dataclass(frozen=True)
class CurrentPerson:
    id: str
    sub: str
    name: str
    email: str
    totp_enabled: bool


@dataclass(frozen=True)
class CurrentMembership:
    id: str
    role: str
    org_id: str | None
    org_name: str | None
    dept: str | None
    chair: bool
    label: str  # "광명시청 총무과 · 구매담당자"

    @property
    def needs_second_factor(self) -> bool:
        return needs_second_factor(self.role, self.chair)


def current_person() -> CurrentPerson | None:
    return _load()[0]


def person_memberships() -> list[CurrentMembership]:
    return _load()[1]


def current_membership() -> CurrentMembership | None:
    memberships = person_memberships()
    chosen = session.get(MEMBERSHIP)
    return next((m for m in memberships if m.id == chosen), memberships[0] if memberships else None)


def signin_required(*roles: str, enrolling: bool = False):
    """Anonymous → the sign-in page (then back here); another role → 403. Without roles,
    any signed-in person passes. A person who must use a second factor and has none is
    sent to set it up first (`enrolling` marks the set-up page itself)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            person = current_person()
            if person is None:
                return redirect(url_for("identity.sign_in", next=_here()))
            membership = current_membership()
            must_enrol = membership and membership.needs_second_factor and not person.totp_enabled
            if must_enrol and not enrolling:
                return redirect(url_for("identity.totp_setup", next=_here()))
            if roles and (membership is None or membership.role not in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def access_token() -> str:
    """A bearer token for the membership acted as (catalog, orders, notify), at most 15
    minutes old; renewed here when it is about to expire, so callers never see it lapse."""
    membership = current_membership()
    person = current_person()
    if membership is None or person is None:
        raise PermissionError("nobody is signed in with a membership")
    cached = session.get(TOKEN)
    if cached and cached["mid"] == membership.id and cached["exp"] - time.time() > RENEW_SECONDS:
        return cached["token"]
    token, expires = tokens.for_membership(web(), person.sub, membership)
    session[TOKEN] = {"token": token, "exp": expires, "mid": membership.id}
    return token


def service_token(audience: str) -> str:
    """Web's own service token (role `service`), e.g. for anonymous catalogue reads."""
    return web().service_tokens.for_audience(audience)


# -- loading -------------------------------------------------------------------------------


def _load() -> tuple[CurrentPerson | None, list[CurrentMembership]]:
    if "identity_current" not in g:
        g.identity_current = _read_session()
    return g.identity_current


def _read_session() -> tuple[CurrentPerson | None, list[CurrentMembership]]:
    person_id, since = session.get(PERSON), session.get(SIGNED_IN_AT)
    if not person_id or not since:
        return None, []
    w = web()
    started = datetime.fromtimestamp(since, tz=utcnow().tzinfo)
    if (utcnow() - started).total_seconds() > w.settings.session_absolute_hours * 3600:
        session.clear()
        return None, []
    with w.db.reading() as db:
        person = db.scalar(
            select(Person)
            .where(Person.id == person_id)
            .options(selectinload(Person.memberships).selectinload(Membership.org))
        )
    ended = person is not None and person.sessions_valid_after is not None
    if (
        person is None
        or person.status != "active"
        or (ended and as_utc(person.sessions_valid_after).timestamp() > since)
    ):
        session.clear()
        return None, []
    memberships = [view_of(m) for m in person.memberships if m.removed_at is None]
    return (
        CurrentPerson(
            id=person.id,
            sub=person.sub,
            name=person.name,
            email=person.email,
            totp_enabled=person.totp_enabled_at is not None,
        ),
        memberships,
    )


def view_of(m: Membership) -> CurrentMembership:
    org_name = m.org.name if m.org else None
    return CurrentMembership(
        id=m.id,
        role=m.role,
        org_id=m.org_id,
        org_name=org_name,
        dept=m.dept,
        chair=m.chair,
        label=membership_label(m.role, org_name, m.dept, m.chair),
    )


def _here() -> str:
    return request.full_path.rstrip("?")
