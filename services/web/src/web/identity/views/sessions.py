"""Starting and ending a browser session (used by every view that signs someone in)."""

from __future__ import annotations

import time

from flask import current_app, g, request, session

from web.identity import current

PENDING = "pending_person_id"  # password checked, second factor still to come


def start(person_id: str, membership_id: str | None = None) -> None:
    """A new session id at every sign-in (no session fixation), with nothing carried over
    but the membership acted as, when given."""
    values = {current.PERSON: person_id, current.SIGNED_IN_AT: time.time()}
    if membership_id:
        values[current.MEMBERSHIP] = membership_id
    _renew(values)


def await_second_factor(person_id: str) -> None:
    _renew({PENDING: person_id})


def end() -> None:
    """Forget everything; the stored session is deleted and the cookie removed."""
    session.clear()
    g.pop("identity_current", None)


def _renew(values: dict) -> None:
    """Replace the session's contents and its id (the old id is deleted from Redis)."""
    session.clear()
    session.update(values)
    current_app.session_interface.regenerate(session)
    g.pop("identity_current", None)


def client_address() -> str:
    return request.remote_addr or "unknown"
