"""E-mail about a person's own account (web's `identity.*` events): an invitation, a
password-reset link, an unlock link, an enterprise application's outcome. Each goes to the
one address the event carries, never through subscriptions, and never to an inbox: the
links in it are the person's alone."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from gachi_kit.events import Envelope
from notify.domain.recipients import Recipient
from notify.services.dispatch import _delivery, dedupe_key
from notify.wiring import Notify, Queued

ACCOUNT_EVENTS = frozenset(
    {
        "identity.invitation_sent",
        "identity.password_reset_requested",
        "identity.account_locked",
        "identity.enterprise_declined",
    }
)


def deliver(n: Notify, session: Session, envelope: Envelope) -> list[Queued]:
    """The delivery row for the event's address (sent after commit, like every other)."""
    data = envelope.data
    # Someone invited has no account yet: the log names the address by a hash of it.
    who = "email-" + hashlib.sha256(data["email"].encode()).hexdigest()[:32]
    recipient = Recipient("user", who, envelope.type, None)
    delivery = _delivery(
        n,
        recipient,
        "email",
        data["email"],
        None,
        dedupe_key(envelope.id, recipient, "email", data["email"]),
        envelope.id,
        envelope.type,
        envelope.occurred_at,
        {},  # no webhook body: nothing of this leaves except the e-mail itself
        data,
    )
    session.add(delivery)
    return [(delivery.id, delivery.channel, delivery.address)]
