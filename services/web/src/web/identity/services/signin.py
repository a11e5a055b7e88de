"""Use case: sign in with e-mail and password, throttled per account and per address.

An unknown e-mail, a wrong password, a locked or disabled account all get the same answer
after the same work (an Argon2 verify against a stand-in hash), so the answer never says
whether an account exists or whether a guess against a locked one was right. Too many
failures on one account lock it and send an unlock link by e-mail; too many from one
address turn that address away for the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.domain.accounts import normalise_email
from web.identity.models import Attempt, Person
from web.identity.services import links
from web.wiring import Web

OK = "ok"
REFUSED = "refused"
THROTTLED = "throttled"
SECOND_FACTOR = "second_factor"


@dataclass(frozen=True)
class SignIn:
    outcome: str
    person_id: str | None = None


def sign_in(w: Web, email: str, password: str, address: str) -> SignIn:
    email = normalise_email(email)
    since = utcnow() - timedelta(minutes=w.settings.failure_window_minutes)
    with w.db.reading() as session:
        throttled = _failures(session, Attempt.address == address, since) >= (
            w.settings.max_failures_per_address
        )
        person = None if throttled else session.scalar(select(Person).where(Person.email == email))
    if throttled:
        with w.db.transaction() as session:
            audit.record(session, "signin_throttled", email=email, address=address)
        return SignIn(THROTTLED)
    # The slow part (Argon2) runs outside any transaction: no database lock is held.
    checked_hash = person.password_hash if person else None
    password_ok = check_password(w, checked_hash, password)
    with w.db.transaction() as session:
        person = session.get(Person, person.id, with_for_update=True) if person else None
        # a password changed meanwhile must not let the old one in
        password_ok = password_ok and person is not None and person.password_hash == checked_hash
        if person is None or not password_ok or person.status != "active":
            _fail(w, session, person, email, address, since)
            return SignIn(REFUSED)
        if w.passwords.check_needs_rehash(person.password_hash):
            person.password_hash = w.passwords.hash(password)
        if person.totp_enabled_at is not None:
            return SignIn(SECOND_FACTOR, person.id)
        complete(session, person, address)
        return SignIn(OK, person.id)


def complete(session: Session, person: Person, address: str, **detail) -> None:
    """The person proved who they are (password, and the second factor when they use one)."""
    person.last_sign_in_at = utcnow()
    audit.record(
        session, "signin", person_id=person.id, email=person.email, address=address, **detail
    )


def check_password(w: Web, stored_hash: str | None, password: str) -> bool:
    """Argon2 verify; without a stored hash, verify against a stand-in so the work (and
    so the time) is the same as for a real account."""
    try:
        return w.passwords.verify(stored_hash or _stand_in(w), password)
    except (VerificationError, InvalidHashError):
        return False


_STAND_IN: dict[int, str] = {}


def _stand_in(w: Web) -> str:
    key = id(w.passwords)
    if key not in _STAND_IN:
        _STAND_IN[key] = w.passwords.hash("no account has this password")
    return _STAND_IN[key]


def _failures(session: Session, where, since) -> int:
    return session.scalar(select(func.count()).where(where, Attempt.at >= since)) or 0


def _fail(w: Web, session: Session, person: Person | None, email, address, since) -> None:
    session.add(Attempt(email=email, address=address))
    person_id = person.id if person else None
    audit.record(session, "signin_failed", person_id=person_id, email=email, address=address)
    if person is None or person.status != "active":
        return
    if _failures(session, Attempt.email == email, since) + 1 >= w.settings.max_failures_per_account:
        person.status = "locked"
        audit.record(session, "account_locked", person_id=person.id, email=email, address=address)
        links.send(
            w,
            session,
            purpose="unlock",
            email=person.email,
            person_id=person.id,
            ttl=timedelta(hours=w.settings.unlock_hours),
            event="identity.account_locked",
            name=person.name,
        )
