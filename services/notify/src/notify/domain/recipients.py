"""Who hears about an event in the in-app inbox: one message per supplier order, never per line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InboxMessage:
    recipient_type: str  # enterprise | institution | committee | user
    recipient_id: str
    template: str  # templates/inbox/<template>.txt
    subject_id: str | None  # the order or supplier order the message is about


def inbox_messages(event_type: str, data: dict) -> list[InboxMessage]:
    if event_type == "supplier_order.created":
        return [
            InboxMessage("enterprise", data["enterprise_id"], event_type, data["supplier_order_id"])
        ]
    if event_type == "order.placed":
        return [InboxMessage("institution", data["institution_id"], event_type, data["order_id"])]
    return []


def recipient_of(role: str, org: str | None) -> tuple[str, str] | None:
    """The inbox a caller reads, from its token's role and org."""
    if not org:
        return None
    if role == "enterprise":
        return ("enterprise", org)
    if role in ("buyer", "institution_admin"):
        return ("institution", org)
    if role == "committee":
        return ("committee", org)
    return None
