"""Use cases on one's own account: switching membership, ending sessions, passwords."""

from __future__ import annotations

from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.models import Person
from web.wiring import Web


def record_switch(w: Web, person_id: str, membership_id: str, address: str) -> None:
    with w.db.transaction() as session:
        audit.record(
            session,
            "membership_switched",
            person_id=person_id,
            actor_id=person_id,
            address=address,
            membership_id=membership_id,
        )


def end_sessions(w: Web, person_id: str, address: str) -> None:
    """Every session of the person that began before now is over (see current.py)."""
    with w.db.transaction() as session:
        person = session.get(Person, person_id, with_for_update=True)
        person.sessions_valid_after = utcnow()
        audit.record(
            session, "signout_everywhere", person_id=person_id, actor_id=person_id, address=address
        )
