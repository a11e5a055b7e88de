"""Use cases: forgotten password (a 30-minute single-use link by e-mail), reset, change,
and unlocking a locked account from the link its lock sent. Changing or resetting a
password ends every other session of the person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.domain.accounts import normalise_email, password_problem
from web.identity.models import Attempt, Person
from web.identity.services import links, signin
from web.identity.services.errors import Refused
from web.wiring import Web


def request_reset(w: Web, email: str, address: str) -> None:
    """Always the same answer to the caller; a link only goes to an existing account."""
    email = normalise_email(email)
    with w.db.transaction() as session:
        person = session.scalar(select(Person).where(Person.email == email))
        if person is None or person.status not in ("active", "locked"):
            audit.record(session, "password_reset_requested", email=email, address=address)
            return
        links.send(
            w,
            session,
            purpose="reset",
            email=person.email,
            person_id=person.id,
            ttl=timedelta(minutes=w.settings.reset_minutes),
            event="identity.password_reset_requested",
            name=person.name,
        )
        audit.record(
            session,
            "password_reset_requested",
            person_id=person.id,
            email=email,
            address=address,
        )


def check_reset_link(w: Web, token: str) -> None:
    with w.db.reading() as session:
        links.find(w, session, token, "reset")


def reset(w: Web, token: str, new_password: str, address: str) -> None:
    with w.db.transaction() as session:
        link = links.find(w, session, token, "reset", lock=True)
        person = session.get(Person, link.person_id, with_for_update=True)
        _set_password(w, person, new_password)
        link.used_at = utcnow()
        if person.status == "locked":  # the link proves the address: it unlocks too
            _unlock(session, person)
        audit.record(session, "password_reset", person_id=person.id, address=address)


def change(w: Web, person_id: str, current: str, new_password: str, address: str) -> None:
    with w.db.transaction() as session:
        person = session.get(Person, person_id, with_for_update=True)
        if not signin.check_password(w, person.password_hash, current):
            raise Refused("password_wrong", "현재 비밀번호가 올바르지 않습니다.", field="current")
        _set_password(w, person, new_password)
        audit.record(
            session, "password_changed", person_id=person.id, actor_id=person.id, address=address
        )


def unlock(w: Web, token: str, address: str) -> None:
    with w.db.transaction() as session:
        link = links.redeem(w, session, token, "unlock")
        person = session.get(Person, link.person_id, with_for_update=True)
        if person.status == "locked":
            _unlock(session, person)
        audit.record(session, "account_unlocked", person_id=person.id, address=address)


def _set_password(w: Web, person: Person, new_password: str) -> None:
    problem = password_problem(new_password, email=person.email, name=person.name)
    if problem:
        raise Refused("password_weak", problem, field="password")
    person.password_hash = w.passwords.hash(new_password)
    # Every session that began before now ends; the caller starts the current one anew.
    person.sessions_valid_after = utcnow()


def _unlock(session, person: Person) -> None:
    person.status = "active"
    session.execute(delete(Attempt).where(Attempt.email == person.email))
