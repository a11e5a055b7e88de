"""What a message says beyond the event's own fields, and what of an event leaves notify to
whom: plain data, no I/O."""

from __future__ import annotations

from notify.domain.catalogue import TO_PARTICIPANTS
from notify.domain.recipients import participants

# Participants' phone numbers and e-mail addresses go to the participants themselves only:
# the institution's and its departments' subscribers (a webhook, anyone's digest) see the
# group order without them. In orders only the organiser sees them.
CONTACT_FIELDS = ("contact", "contact_kind")


def derived(event_type: str, data: dict) -> dict:
    """Fields the templates need that the event carries only implicitly."""
    if event_type == "supplier_order.lines_cancelled":
        return _lines_cancelled(data)
    if event_type in TO_PARTICIPANTS:
        _reachable, unreachable = participants(event_type, data)
        return {
            "participant_count": len(data.get("participants") or []),
            "unreachable_count": len(unreachable),
        }
    return {}


def _lines_cancelled(data: dict) -> dict:
    """Which lines are cancelled, when the event says so per line (`cancelled: true`, as
    orders' supplier-order API shows it); None when it does not, and the message says so."""
    lines = data.get("lines") or []
    if not lines or any("cancelled" not in line for line in lines):
        return {"cancelled_lines": None, "remaining_lines": None}
    return {
        "cancelled_lines": [line for line in lines if line["cancelled"]],
        "remaining_lines": [line for line in lines if not line["cancelled"]],
    }


def shareable(event_type: str, data: dict) -> dict:
    """The event data as subscribers other than the participants may see it."""
    if event_type not in TO_PARTICIPANTS or not data.get("participants"):
        return data
    return {
        **data,
        "participants": [
            {k: v for k, v in person.items() if k not in CONTACT_FIELDS}
            for person in data["participants"]
        ],
    }
